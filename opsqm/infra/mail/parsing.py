"""Reading raw mail without ever failing: whatever the bytes, `parse_message`
returns what could be read plus the reasons to refuse the message, if any.

Also the two server-side clocks: IMAP INTERNALDATE and the top Received header."""

from __future__ import annotations

import datetime
import email.header
import email.utils
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email import errors as email_errors
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from typing import Any

from django.utils.translation import gettext_noop, pgettext_lazy

from opsqm.infra.mail.classify import classify

# A refusal note is stored as a code and parameters that are codes or data (never
# English prose): {"code": "nul_character", "params": {"where": "part_text", "part": "2"}}.
# `describe_refusal` renders it: in English for the stored `text` and the audit record,
# in the active language through gettext for the desk (InboundMessage.refusal_messages).
# The English source of every refusal note:
REFUSAL_TEXTS: dict[str, str] = {
    "unreadable": gettext_noop("The message could not be read at all (%(error)s)."),
    "no_headers": gettext_noop("The message has no headers."),
    "from_missing": gettext_noop("The message has no From header, so its sender is unknown."),
    "from_unparseable": gettext_noop(
        "The From header (%(value)s) does not contain an e-mail address."
    ),
    "header_encoding": gettext_noop(
        "The %(header)s header contains bytes that are not valid UTF-8 and no character "
        "set is declared for them."
    ),
    "header_charset": gettext_noop(
        "The %(header)s header is encoded in a character set that cannot be decoded (%(charset)s)."
    ),
    "body_charset": gettext_noop(
        "Part %(part)s of the message declares an unknown character set (%(charset)s)."
    ),
    "body_encoding": gettext_noop(
        "Part %(part)s of the message is not valid text in its declared character set "
        "(%(charset)s)."
    ),
    "nul_character": gettext_noop(
        "The %(where)s contains a NUL character, which no text may hold; it is shown replaced."
    ),
    "mime_broken": gettext_noop("The MIME structure of the message is broken: %(detail)s."),
    "attachment_too_large": gettext_noop(
        "The attachment %(filename)s is %(size)s, more than the limit of %(limit)s."
    ),
}

# Where a NUL character was found (`where` of `nul_character`).
PLACE_TEXTS: dict[str, str] = {
    "header_names": gettext_noop("header names"),
    "header": gettext_noop("%(header)s header"),
    "part_text": gettext_noop("text of part %(part)s"),
    "part_filename": gettext_noop("file name of part %(part)s"),
}

# Header names the notes translate (context "mail header", the msgid is the name);
# other headers keep their name.  The lazy strings only mark them for makemessages.
HEADER_NAMES = frozenset({"Subject", "From", "To", "Cc", "Date"})
_HEADER_MARKS = (
    pgettext_lazy("mail header", "Subject"),
    pgettext_lazy("mail header", "From"),
    pgettext_lazy("mail header", "To"),
    pgettext_lazy("mail header", "Cc"),
    pgettext_lazy("mail header", "Date"),
)

# An attachment without a file name (`filename` of `attachment_too_large`).
UNNAMED_PART = gettext_noop("(part %(part)s)")
BYTES = gettext_noop("%(n)s bytes")

# Defects that make a message unreliable as evidence (`defect` of `mime_broken`: the
# class name), with a plain description.
DEFECT_TEXTS: dict[str, str] = {
    "NoBoundaryInMultipartDefect": gettext_noop("a multipart part declares no boundary"),
    "StartBoundaryNotFoundDefect": gettext_noop("the declared part boundary never occurs"),
    "CloseBoundaryNotFoundDefect": gettext_noop("the last part is not closed (message cut off?)"),
    "FirstHeaderLineIsContinuationDefect": gettext_noop("the first header line is a continuation"),
    "MissingHeaderBodySeparatorDefect": gettext_noop("a line in the headers is not a header"),
    "MultipartInvariantViolationDefect": gettext_noop("a multipart part has no sub-parts"),
    "InvalidMultipartContentTransferEncodingDefect": gettext_noop(
        "a multipart part has an invalid transfer encoding"
    ),
    "InvalidBase64PaddingDefect": gettext_noop("an attachment's base64 padding is wrong"),
    "InvalidBase64CharactersDefect": gettext_noop("an attachment's base64 has invalid characters"),
    "InvalidBase64LengthDefect": gettext_noop("an attachment's base64 has an invalid length"),
}
_FATAL_DEFECTS: tuple[type[email_errors.MessageDefect], ...] = tuple(
    getattr(email_errors, name) for name in DEFECT_TEXTS
)


def _english(message: str) -> str:
    return message


def _english_p(context: str, message: str) -> str:
    return message


def describe_refusal(
    note: dict[str, Any],
    gettext: Callable[[str], str] = _english,
    pgettext: Callable[[str, str], str] = _english_p,
) -> str:
    """One refusal note as a sentence: in English by default (the stored `text`), in
    the active language with Django's `gettext`/`pgettext`.  Notes stored before the
    parameters were codes show their stored parameters (a `detail` sentence is
    translated when it is one of DEFECT_TEXTS); an unknown code shows its stored text.
    Never raises."""
    template = REFUSAL_TEXTS.get(str(note.get("code", "")))
    params: dict[str, Any] = dict(note.get("params") or {})
    if template is None:
        return str(note.get("text", ""))
    if "header" in params:
        header = str(params["header"])
        params["header"] = pgettext("mail header", header) if header in HEADER_NAMES else header
    where = PLACE_TEXTS.get(str(params.get("where", "")))
    if where is not None:
        params["where"] = gettext(where) % params
    if "defect" in params:
        params["detail"] = gettext(DEFECT_TEXTS.get(str(params["defect"]), str(params["defect"])))
    elif "detail" in params:
        params["detail"] = gettext(str(params["detail"]))
    if note.get("code") == "attachment_too_large":
        if not params.get("filename") and "part" in params:
            params["filename"] = gettext(UNNAMED_PART) % params
        for key in ("size", "limit"):
            if str(params.get(key, "")).isdigit():
                params[key] = human_size(int(params[key]), gettext)
    try:
        return gettext(template) % params
    except (KeyError, TypeError, ValueError):
        return str(note.get("text", ""))


_MSGID_RE = re.compile(r"<[^<>\s]+>")
_SURROGATES = re.compile(r"[\udc80-\udcff]")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}
_INTERNALDATE_RE = re.compile(
    rb'INTERNALDATE "\s?(\d{1,2})-([A-Za-z]{3})-(\d{4}) '
    rb'(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})"'
)


def human_size(size: int, gettext: Callable[[str], str] = _english) -> str:
    """A size for the notes: 1536 → '1.5 KiB'; '512 bytes' through `gettext`."""
    value = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            break
    if size < 1024:
        return gettext(BYTES) % {"n": size}
    return f"{value:.1f} {unit}"


def parse_internaldate(data: bytes | str) -> datetime.datetime | None:
    """The INTERNALDATE in an IMAP FETCH response, as an aware datetime (its own
    offset kept).  Locale-independent, unlike `imaplib.Internaldate2tuple`, which
    also drops the zone by going through local time."""
    if isinstance(data, str):
        data = data.encode("ascii", "replace")
    m = _INTERNALDATE_RE.search(data)
    if not m:
        return None
    day, mon, year, hh, mm, ss, sign, zh, zm = (x.decode("ascii") for x in m.groups())
    month = _MONTHS.get(mon.lower())
    if month is None:
        return None
    offset = datetime.timedelta(hours=int(zh), minutes=int(zm))
    tz = datetime.timezone(-offset if sign == "-" else offset)
    try:
        return datetime.datetime(int(year), month, int(day), int(hh), int(mm), int(ss), tzinfo=tz)
    except ValueError:
        return None


def parse_date_header(value: str | None) -> datetime.datetime | None:
    """An RFC 5322 date as an aware datetime; None when missing or unreadable."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:  # "-0000": UTC, origin unknown
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


def received_date(value: str | None) -> datetime.datetime | None:
    """The time stamp of one Received header: what follows its last semicolon."""
    if not value or ";" not in value:
        return None
    return parse_date_header(_unfold(value.rsplit(";", 1)[1]))


def normalize_message_id(value: str | None) -> str:
    """The first <…> of a header value, or the stripped value when it has none."""
    if not value:
        return ""
    m = _MSGID_RE.search(value)
    if m:
        return m.group(0)
    value = value.strip()
    return f"<{value}>" if value and " " not in value else ""


def message_ids(value: str | None) -> list[str]:
    return _MSGID_RE.findall(value or "")


@dataclass
class ParsedMessage:
    message_id: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    subject: str = ""
    from_header: str = ""
    from_address: str = ""
    to_header: str = ""
    cc_header: str = ""
    date_header_raw: str = ""
    date_header: datetime.datetime | None = None
    received_header_at: datetime.datetime | None = None
    body_text: str = ""
    attachments: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    # A person's mail, a bounce or an automatic reply (opsqm.infra.mail.classify).
    nature: str = "mail"
    nature_reason: str = ""
    reported_ids: list[str] = field(default_factory=list)  # what a bounce reports on

    @property
    def refused(self) -> bool:
        return bool(self.notes)

    @property
    def refusal_note(self) -> str:
        return " ".join(n["text"] for n in self.notes)

    def refuse(self, code: str, **params: Any) -> None:
        params = {k: str(v)[:200] for k, v in params.items()}
        note: dict[str, Any] = {"code": code, "params": params}
        note["text"] = describe_refusal(note)
        if note not in self.notes:
            self.notes.append(note)


def _unfold(value: str) -> str:
    return re.sub(r"\r?\n[ \t]*", " ", value).strip()


def _without_nul(text: str, parsed: ParsedMessage, where: str, **place: str) -> str:
    """NUL is legal in neither a header nor text, and PostgreSQL cannot store it:
    refuse the message (its raw bytes are kept) and show the character replaced.
    `where` is a key of PLACE_TEXTS, `place` its parameters."""
    if "\x00" not in text:
        return text
    parsed.refuse("nul_character", where=where, **place)
    return text.replace("\x00", "\ufffd")


# Character sets as Chinese mail clients label them: GB 2312 and GBK labels are
# decoded as GB 18030, their superset (clients write GBK characters under "gb2312").
CHARSET_ALIASES: dict[str, str] = {
    "gb2312": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312-80": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "csgb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
}
# Text whose bytes do not fit its label, or carry none (8-bit text "us-ascii" by
# default), is tried in this order before the message is refused.
FALLBACK_CHARSETS: tuple[str, ...] = ("utf-8", "gb18030")
# Labels under which a mismatch is taken for a mislabel and the fallbacks are tried.
_WEAK_LABELS = frozenset({"", "us-ascii", "ascii", "utf-8", "utf8", "unknown-8bit", "x-unknown"})


def codec_for(charset: str | None) -> str:
    """The codec a declared character set is decoded with (CHARSET_ALIASES)."""
    name = (charset or "").strip().strip('"').lower()
    return CHARSET_ALIASES.get(name, name)


def decode_fallback(data: bytes, charset: str | None) -> tuple[str | None, str]:
    """`data` decoded as its label says, else (for a missing, ASCII or UTF-8 label)
    by FALLBACK_CHARSETS; (None, reason) when nothing fits: reason is "charset" for
    an unknown label, "encoding" for bytes that fit no candidate."""
    codec = codec_for(charset) or "us-ascii"
    candidates = [codec]
    if codec in _WEAK_LABELS:
        candidates += [c for c in FALLBACK_CHARSETS if c != codec]
    unknown = False
    for name in candidates:
        try:
            return data.decode(name), ""
        except LookupError:
            unknown = True
        except UnicodeDecodeError:
            continue
    return None, "charset" if unknown and len(candidates) == 1 else "encoding"


def unreadable_text(data: bytes) -> str:
    """What is shown of text that could not be decoded: its ASCII characters, every
    run of other bytes one U+FFFD, never a guess in another character set (which
    would show as mojibake)."""
    return re.sub("\ufffd+", "\ufffd", data.decode("ascii", "replace"))


def _decode_header(name: str, value: str, parsed: ParsedMessage) -> str:
    """A header's text: raw 8-bit bytes and encoded words are decoded by their label
    (GB 2312/GBK as GB 18030), else by FALLBACK_CHARSETS; what fits nothing refuses
    the message and is shown as `unreadable_text`."""
    value = _unfold(value)
    if _SURROGATES.search(value):
        data = value.encode("ascii", "surrogateescape")
        text, _reason = decode_fallback(data, None)
        if text is None:
            parsed.refuse("header_encoding", header=name)
            return unreadable_text(data)
        value = text
    if "=?" not in value:
        return value
    try:
        chunks = email.header.decode_header(value)
    except (email_errors.HeaderParseError, ValueError, AssertionError):
        return value
    out = []
    for chunk, charset in chunks:
        data = chunk.encode("utf-8", "surrogateescape") if isinstance(chunk, str) else chunk
        text, _reason = decode_fallback(data, charset)
        if text is None:
            parsed.refuse("header_charset", header=name, charset=charset or "")
            text = unreadable_text(data)
        out.append(text)
    return "".join(out)


def _part_filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    return str(name or "")


def _text_of(part: Message, number: str, parsed: ParsedMessage) -> str:
    return _without_nul(_decode_text(part, number, parsed), parsed, "part_text", part=number)


def _decode_text(part: Message, number: str, parsed: ParsedMessage) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "us-ascii"
    text, reason = decode_fallback(payload, charset)
    if text is not None:
        return text
    if reason == "charset":
        parsed.refuse("body_charset", part=number, charset=charset)
    else:
        parsed.refuse("body_encoding", part=number, charset=charset)
    return unreadable_text(payload)


def _walk(msg: Message, number: str, parsed: ParsedMessage, limit: int, texts: list[str]) -> None:
    defects = list(getattr(msg, "defects", []))
    if msg.is_multipart():
        payload = msg.get_payload()
        if isinstance(payload, list):
            for i, sub in enumerate(payload, start=1):
                _walk(sub, f"{number}.{i}" if number else str(i), parsed, limit, texts)
    else:
        ctype = msg.get_content_type()
        disposition = msg.get_content_disposition()
        filename = _without_nul(_part_filename(msg), parsed, "part_filename", part=number)
        if ctype.startswith("text/") and disposition != "attachment" and not filename:
            text = _text_of(msg, number or "1", parsed)
            if ctype == "text/plain" or not texts:
                texts.append(text)
        elif ctype == "message/rfc822" or ctype.startswith("multipart/"):
            pass
        else:
            data = msg.get_payload(decode=True)
            data = data if isinstance(data, bytes) else b""
            entry = {
                "part": number or "1",
                "filename": filename,
                "content_type": ctype,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
            parsed.attachments.append(entry)
            if limit and len(data) > limit:
                parsed.refuse(
                    "attachment_too_large",
                    filename=filename,
                    part=entry["part"],
                    size=len(data),
                    limit=limit,
                )
        defects = list(getattr(msg, "defects", []))  # decoding adds base64 defects
    for defect in defects:
        for cls in _FATAL_DEFECTS:
            if isinstance(defect, cls):
                parsed.refuse("mime_broken", defect=cls.__name__)


def parse_message(
    raw: bytes, *, max_attachment_bytes: int = 0, own_domain: str = ""
) -> ParsedMessage:
    """Everything OpsQM reads from a raw message.  Never raises.  `own_domain`: the
    right side of OpsQM's Message-IDs, looked for in the text of a bounce."""
    parsed = ParsedMessage()
    try:
        _parse(raw, parsed, max_attachment_bytes, own_domain)
    except Exception as exc:  # the email package has had crashes on hostile input
        parsed.refuse("unreadable", error=f"{exc.__class__.__name__}: {exc}")
    return parsed


def _parse(raw: bytes, parsed: ParsedMessage, limit: int, own_domain: str) -> None:
    msg: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)
    headers: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        name = _without_nul(name, parsed, "header_names")
        text = _without_nul(str(value), parsed, "header", header=name)
        headers.setdefault(name.lower(), []).append(text)
    if not headers:
        parsed.refuse("no_headers")

    def first(name: str, label: str) -> str:
        values = headers.get(name.lower())
        if not values:
            return ""
        return _without_nul(
            _decode_header(label, values[0], parsed), parsed, "header", header=label
        )

    parsed.subject = first("subject", "Subject")
    parsed.from_header = first("from", "From")
    parsed.to_header = first("to", "To")
    parsed.cc_header = first("cc", "Cc")
    parsed.date_header_raw = first("date", "Date")[:255]
    parsed.date_header = parse_date_header(parsed.date_header_raw)
    parsed.message_id = normalize_message_id(first("message-id", "Message-ID"))[:512]
    parsed.in_reply_to = normalize_message_id(first("in-reply-to", "In-Reply-To"))[:512]
    parsed.references = message_ids(" ".join(headers.get("references", [])))
    received = headers.get("received")
    if received:
        parsed.received_header_at = received_date(_unfold(received[0]))
    if headers:
        if not parsed.from_header:
            parsed.refuse("from_missing")
        else:
            addresses = [
                addr for _, addr in email.utils.getaddresses([parsed.from_header]) if "@" in addr
            ]
            if addresses:
                parsed.from_address = addresses[0].lower()[:320]
            else:
                parsed.refuse("from_unparseable", value=parsed.from_header[:80])
    texts: list[str] = []
    _walk(msg, "", parsed, limit, texts)
    parsed.body_text = texts[0] if texts else ""
    nature = classify(
        msg,
        subject=parsed.subject,
        sender=parsed.from_address,
        body_text=" ".join(texts),
        own_domain=own_domain,
    )
    parsed.nature, parsed.nature_reason = nature.kind, nature.reason
    parsed.reported_ids = [m[:512] for m in nature.reported_ids[:20]]
