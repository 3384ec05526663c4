// A description is the simple HTML Google Calendar allows (bold, italic, underline, lists,
// links, line breaks), cleaned by the server. Here it is shown formatted (never as raw tags,
// and through an allow-list again: nothing but those elements and web links reaches the page),
// read as plain text, and edited with a few buttons instead of tags.

const KEEP = new Set(["B", "STRONG", "I", "EM", "U", "BR", "P", "UL", "OL", "LI", "SPAN", "DIV"]);
const FORMATTING = "b, strong, i, em, u, ul, ol, a";
const WEB = /^(https?:|mailto:)/i;

function hasMarkup(text) {
  return /<[a-z][^>]*>|&[a-z#0-9]+;/i.test(text);
}

function copyAllowed(from, to) {
  for (const node of from.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      to.append(node.textContent);
    } else if (node.nodeType !== Node.ELEMENT_NODE) {
      continue;
    } else if (node.tagName === "A" && WEB.test(node.getAttribute("href") ?? "")) {
      const anchor = document.createElement("a");
      anchor.href = node.getAttribute("href");
      anchor.rel = "noopener noreferrer";
      anchor.target = "_blank";
      copyAllowed(node, anchor);
      to.append(anchor);
    } else if (KEEP.has(node.tagName)) {
      const element = document.createElement(node.tagName);
      copyAllowed(node, element);
      to.append(element);
    } else if (!["SCRIPT", "STYLE", "TEMPLATE"].includes(node.tagName)) {
      copyAllowed(node, to);
    }
  }
}

function parsed(html) {
  return new DOMParser().parseFromString(`<body>${html}</body>`, "text/html").body;
}

// A description as page nodes: formatted HTML, or plain text with its line breaks.
export function formatted(text) {
  const out = document.createDocumentFragment();
  if (hasMarkup(text)) {
    copyAllowed(parsed(text), out);
  } else {
    text.split("\n").forEach((line, index) => {
      if (index) out.append(document.createElement("br"));
      out.append(line);
    });
  }
  return out;
}

// A description as plain text (a list item on its own line).
export function plainText(text) {
  if (!hasMarkup(text)) return text;
  const body = parsed(text.replace(/<br\s*\/?>/gi, "\n").replace(/<\/(p|li|div)>/gi, "\n$&"));
  return body.textContent.replace(/\n{3,}/g, "\n\n").trim();
}

// ---- the editor ----------------------------------------------------------------------------

export function fillEditor(editor, text) {
  editor.replaceChildren(formatted(text ?? ""));
}

// What the editor holds, as the API takes it: plain text unless something is formatted.
export function editorValue(editor) {
  if (!editor.querySelector(FORMATTING)) return editor.innerText.replace(/\n$/, "");
  const clean = document.createElement("div");
  copyAllowed(editor, clean);
  return clean.innerHTML;
}

// The toolbar's buttons (data-format: bold, italic, underline, list, link) act on the editor.
export function setUpEditor(editor, toolbar) {
  for (const button of toolbar.querySelectorAll("button[data-format]")) {
    button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
    button.addEventListener("click", () => format(editor, button.dataset.format));
  }
  editor.addEventListener("keydown", (event) => {
    const key = event.key.toLowerCase();
    if ((event.ctrlKey || event.metaKey) && ["b", "i", "u"].includes(key)) {
      event.preventDefault();
      format(editor, { b: "bold", i: "italic", u: "underline" }[key]);
    }
  });
}

function format(editor, kind) {
  editor.focus();
  if (kind === "list") return document.execCommand("insertUnorderedList");
  if (kind !== "link") return document.execCommand(kind);
  const url = window.prompt("Link to (https://…)", "https://");
  if (url && WEB.test(url)) document.execCommand("createLink", false, url);
}
