"""The exports people bring read as they mean: each file below has the header its program
writes (Google Contacts today and before 2023, Outlook's two, LinkedIn's connections,
Salesforce's and HubSpot's contacts), and each person in it comes out whole: their name, every
email, the company, the job title (not the name's prefix), one phone (a mobile or work one
before a home one, never an assistant's) and nothing read from another column."""

from __future__ import annotations

import csv
import io

import pytest

from touchbase.domain.contact_import import ImportFileError, parse_contacts

GOOGLE = (
    "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,"
    "Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,Organization Name,"
    "Organization Title,Organization Department,Birthday,Notes,Photo,Labels,"
    "E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,"
    "Phone 1 - Value,Address 1 - Label,Address 1 - Formatted,Website 1 - Label,Website 1 - Value"
)
GOOGLE_BEFORE_2023 = (
    "Name,Given Name,Additional Name,Family Name,Yomi Name,Given Name Yomi,"
    "Additional Name Yomi,Family Name Yomi,Name Prefix,Name Suffix,Initials,Nickname,"
    "Short Name,Maiden Name,Birthday,Gender,Location,Billing Information,Directory Server,"
    "Mileage,Occupation,Hobby,Sensitivity,Priority,Subject,Notes,Language,Photo,"
    "Group Membership,E-mail 1 - Type,E-mail 1 - Value,E-mail 2 - Type,E-mail 2 - Value,"
    "Phone 1 - Type,Phone 1 - Value,Organization 1 - Type,Organization 1 - Name,"
    "Organization 1 - Yomi Name,Organization 1 - Title,Organization 1 - Department,"
    "Organization 1 - Symbol,Organization 1 - Location,Organization 1 - Job Description"
)
OUTLOOK_COM = (
    "First Name,Middle Name,Last Name,Title,Suffix,Nickname,Given Yomi,Surname Yomi,"
    "E-mail Address,E-mail 2 Address,E-mail 3 Address,Home Phone,Home Phone 2,Business Phone,"
    "Business Phone 2,Mobile Phone,Car Phone,Other Phone,Primary Phone,Pager,Business Fax,"
    "Home Fax,Other Fax,Company Main Phone,Callback,Radio Phone,Telex,TTY/TDD Phone,IMAddress,"
    "Job Title,Department,Company,Office Location,Manager's Name,Assistant's Name,"
    "Assistant's Phone,Company Yomi,Business Street,Business City,Business State,"
    "Business Postal Code,Business Country/Region,Personal Web Page,Birthday,Notes"
)
OUTLOOK_DESKTOP = (
    "Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,"
    "Business Street,Business City,Business Phone,Business Phone 2,Callback,Car Phone,"
    "Company Main Phone,Home Fax,Home Phone,Home Phone 2,ISDN,Mobile Phone,Other Fax,"
    "Other Phone,Pager,Primary Phone,Radio Phone,TTY/TDD Phone,Telex,Assistant's Phone,"
    "E-mail Address,E-mail Type,E-mail Display Name,E-mail 2 Address,E-mail 2 Type,"
    "E-mail 2 Display Name,Notes"
)
LINKEDIN_NOTES = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses '
    "are missing. You will only see email addresses for connections who have allowed their "
    'connections to see or download their email address using this setting."\n'
    "\n"
)
LINKEDIN = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"
SALESFORCE = "First Name,Last Name,Title,Account Name,Email,Email Opt Out,Phone,Mobile,Mailing City"
HUBSPOT = (
    "Record ID,First Name,Last Name,Email,Phone Number,Company Name,Job Title,Contact owner,"
    "Lead Status,Mobile Phone Number,Email Domain,Unsubscribed from all email"
)

# Each person as the program would write them: {header: cell}; the rest of the row is empty.
DANA = {
    "name": "Dana Scully",
    "emails": ("dana@acme.example", "dana@fbi.example"),
    "company": "Acme",
    "title": "Head of Procurement",
    "phone": "+1 202 555 0143",
}
ROWS: list[tuple[str, str, dict[str, str], dict[str, object]]] = [
    (
        "Google Contacts",
        GOOGLE,
        {
            "First Name": "Dana",
            "Last Name": "Scully",
            "Phonetic First Name": "Dayna",
            "Organization Name": "Acme",
            "Organization Title": "Head of Procurement",
            "Organization Department": "Purchasing",
            "E-mail 1 - Label": "* Work",
            "E-mail 1 - Value": "dana@acme.example",
            "E-mail 2 - Value": "dana@fbi.example",
            "Phone 1 - Label": "Mobile",
            "Phone 1 - Value": "+1 202 555 0143",
        },
        DANA,
    ),
    (
        "Google Contacts before 2023",
        GOOGLE_BEFORE_2023,
        {
            "Name": "Dana Scully",
            "Given Name": "Dana",
            "Family Name": "Scully",
            "Given Name Yomi": "Deina",
            "E-mail 1 - Value": "dana@acme.example ::: dana@fbi.example",
            "Phone 1 - Value": "+1 202 555 0143",
            "Organization 1 - Name": "Acme",
            "Organization 1 - Yomi Name": "Akume",
            "Organization 1 - Title": "Head of Procurement",
            "Organization 1 - Department": "Purchasing",
            "Organization 1 - Location": "Washington",
        },
        DANA,
    ),
    (
        "Outlook.com",
        OUTLOOK_COM,
        {
            "First Name": "Dana",
            "Last Name": "Scully",
            "Title": "Dr.",
            "E-mail Address": "dana@acme.example",
            "E-mail 2 Address": "dana@fbi.example",
            "Home Phone": "+1 202 555 0100",
            "Mobile Phone": "+1 202 555 0143",
            "Company Main Phone": "+1 202 555 0000",
            "Job Title": "Head of Procurement",
            "Company": "Acme",
            "Assistant's Phone": "+1 202 555 0199",
            "Company Yomi": "Akume",
        },
        DANA,
    ),
    (
        "Outlook for Windows",
        OUTLOOK_DESKTOP,
        {
            "Title": "Dr.",
            "First Name": "Dana",
            "Last Name": "Scully",
            "Company": "Acme",
            "Job Title": "Head of Procurement",
            "Business Phone": "+1 202 555 0143",
            "Company Main Phone": "+1 202 555 0000",
            "Home Phone": "+1 202 555 0100",
            "Assistant's Phone": "+1 202 555 0199",
            "E-mail Address": "dana@acme.example",
            "E-mail Type": "SMTP",
            "E-mail Display Name": "Dana Scully (dana@acme.example)",
            "E-mail 2 Address": "dana@fbi.example",
            "E-mail 2 Display Name": "Dana Scully (dana@fbi.example)",
        },
        DANA,
    ),
    (
        "Salesforce",
        SALESFORCE,
        {
            "First Name": "Dana",
            "Last Name": "Scully",
            "Title": "Head of Procurement",
            "Account Name": "Acme",
            "Email": "dana@acme.example; dana@fbi.example",
            "Email Opt Out": "false",
            "Phone": "+1 202 555 0100",
            "Mobile": "+1 202 555 0143",
            "Mailing City": "Washington",
        },
        DANA,
    ),
    (
        "HubSpot",
        HUBSPOT,
        {
            "Record ID": "51",
            "First Name": "Dana",
            "Last Name": "Scully",
            "Email": "dana@acme.example, dana@fbi.example",
            "Phone Number": "+1 202 555 0100",
            "Mobile Phone Number": "+1 202 555 0143",
            "Company Name": "Acme",
            "Job Title": "Head of Procurement",
            "Contact owner": "Walter Skinner",
            "Email Domain": "acme.example",
            "Unsubscribed from all email": "false",
        },
        DANA,
    ),
]


def _file(header: str, cells: dict[str, str]) -> str:
    columns = next(csv.reader([header]))
    assert set(cells) <= set(columns), set(cells) - set(columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerow([cells.get(column, "") for column in columns])
    return out.getvalue()


@pytest.mark.parametrize(("program", "header", "cells", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_each_programs_export_reads_as_it_means(
    program: str, header: str, cells: dict[str, str], expected: dict[str, object]
) -> None:
    (record,) = parse_contacts("csv", _file(header, cells)).records
    assert record.problems == ()
    found = {name: getattr(record.fields, name) for name in expected}
    assert found == expected, program
    assert record.row == 2


def test_linkedins_connections_read_past_their_notes() -> None:
    rows = (
        "Lars,Lindqvist,https://www.linkedin.com/in/lars,lars@initech.example,Initech,"
        "VP Sales,01 Dec 2026\r\nNo,Email,https://www.linkedin.com/in/noemail,,Globex,"
        "Engineer,02 Dec 2026\r\n"
    )
    parsed = parse_contacts("csv", LINKEDIN_NOTES + LINKEDIN + "\r\n" + rows)
    lars, no_email = parsed.records
    assert (lars.fields.name, lars.fields.emails) == ("Lars Lindqvist", ("lars@initech.example",))
    assert (lars.fields.company, lars.fields.title) == ("Initech", "VP Sales")
    assert (no_email.fields.name, no_email.fields.emails) == ("No Email", ())
    assert [lars.row, no_email.row] == [5, 6]  # the file's own lines: the header is line 4
    assert parsed.ignored_columns == ("URL", "Connected On")


@pytest.mark.parametrize(
    "text",
    [
        "Email,Company\r\nx@acme.example,Contact\r\nName,Email\r\n",  # a header, no name
        "Notes:\n" * 11 + "Name\nDana\n",  # more notes than a header follows
        "a,b\nName\nDana\n",  # a row before any header
    ],
)
def test_a_table_without_a_name_column_before_it_is_refused(text: str) -> None:
    with pytest.raises(ImportFileError, match="name the columns"):
        parse_contacts("csv", text)
