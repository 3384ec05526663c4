// The API documentation: Swagger UI from touchbase's own installation (npm's swagger-ui-dist),
// started from this file so that the page's Content-Security-Policy stays strict.
const root = document.getElementById("swagger-ui");
window.SwaggerUIBundle({
  url: root.dataset.openapiUrl,
  domNode: root,
  deepLinking: true,
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
