"""``guide merge-po``: a git merge driver that merges .po files entry by entry.

Git's line-based merge sees two translators who edited different paragraphs of one catalogue as
a conflict whenever the wrapped lines touch, and happily produces broken files when they don't.
This driver compares each entry (by msgctxt and msgid) in the common ancestor, our version and
their version:

* an entry changed on one side only takes that side's version;
* the same change on both sides is no conflict;
* different translations of the same entry are a real conflict: the entry gets both, between
  ``<<<<<<< ours`` / ``=======`` / ``>>>>>>> theirs`` lines inside its msgstr, is marked fuzzy (so
  readers never see the markers) and carries a comment saying what to do; the driver exits 1 so
  git reports the file as conflicted;
* an entry deleted on one side and changed on the other is kept (nothing is lost; the next
  ``guide update`` files it where it belongs);
* translator comments from both sides are kept; header fields merge field by field, dates and the
  last translator going with the most recent revision.

The result is written in msgcat's layout, like every catalogue the toolchain writes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from guidetools import GuideError
from guidetools.catalog import Catalog, Message, format_header, parse_catalog, write_catalog

CONFLICT_COMMENT = (
    "guide merge-po: two different translations of this entry were merged; keep one, delete the "
    "other and the <<<<<<< ======= >>>>>>> lines, then remove the fuzzy flag and this comment"
)
HEADER_CONFLICT = "guide merge-po: header field {name} differs; theirs was: {value}"
DATE_FIELDS = ("PO-Revision-Date", "POT-Creation-Date")
TOOL_FIELDS = ("X-Generator", "Generated-By")


@dataclass
class MergeResult:
    name: str
    conflicts: list[str] = field(default_factory=list)  # what conflicted, one line each
    kept_deleted: list[str] = field(default_factory=list)  # entries deleted on one side, changed on the other

    def messages(self) -> list[str]:
        if not self.conflicts:
            return [f"{self.name}: merged entry by entry, no conflict"]
        return [
            *(f"{self.name}: conflict: {conflict}" for conflict in self.conflicts),
            f"{self.name}: {len(self.conflicts)} conflict(s); search the file for '<<<<<<<' (the entries are "
            "fuzzy and commented), keep one translation each, then `git add` the file",
        ]


def _translation(message: Message | None) -> tuple:
    if message is None:
        return ("", (), False, None, None, None)
    return (
        message.msgstr,
        tuple(message.msgstr_plural),
        message.fuzzy,
        message.previous_msgctxt,
        message.previous_msgid,
        message.previous_msgid_plural,
    )


def _source_info(message: Message | None) -> tuple:
    if message is None:
        return ((), (), None, ())
    flags = tuple(flag for flag in message.flags if flag != "fuzzy")
    return (tuple(message.extracted), tuple(message.references), message.msgid_plural, flags)


def _three_way(base, ours, theirs):
    """(value, conflicted) for one field."""
    if ours == theirs:
        return ours, False
    if ours == base:
        return theirs, False
    if theirs == base:
        return ours, False
    return ours, True


def _union(ours: list[str], theirs: list[str]) -> list[str]:
    return [*ours, *(line for line in theirs if line not in ours)]


def _conflict_text(ours: str, theirs: str) -> str:
    return f"<<<<<<< ours\n{ours}\n=======\n{theirs}\n>>>>>>> theirs"


def merge_entry(base: Message | None, ours: Message, theirs: Message) -> tuple[Message, bool]:
    """The merged entry, and whether its translation conflicted."""
    merged = ours.copy()
    # The translation: msgstr with its fuzzy state and the source it was made for, as one unit.
    empty = _translation(None)
    base_translation = _translation(base) if base is not None else empty
    translation, conflicted = _three_way(base_translation, _translation(ours), _translation(theirs))
    if conflicted and ours.translations == theirs.translations:
        # Same text, different review state: the side that cleared the fuzzy flag reviewed it.
        translation, conflicted = (_translation(theirs) if ours.fuzzy else _translation(ours)), False
    if conflicted:
        if ours.msgid_plural is not None:
            forms = max(len(ours.msgstr_plural), len(theirs.msgstr_plural))
            ours_forms = [*ours.msgstr_plural, *[""] * forms][:forms]
            theirs_forms = [*theirs.msgstr_plural, *[""] * forms][:forms]
            merged.msgstr_plural = [
                a if a == b else _conflict_text(a, b) for a, b in zip(ours_forms, theirs_forms, strict=True)
            ]
        else:
            merged.msgstr = _conflict_text(ours.msgstr, theirs.msgstr)
        merged.set_fuzzy(True)
    else:
        msgstr, plural, fuzzy, previous_ctxt, previous_id, previous_plural = translation
        merged.msgstr, merged.msgstr_plural = msgstr, list(plural)
        merged.previous_msgctxt, merged.previous_msgid, merged.previous_msgid_plural = (
            previous_ctxt,
            previous_id,
            previous_plural,
        )
        merged.set_fuzzy(fuzzy)
    obsolete, obsolete_conflict = _three_way(base.obsolete if base else None, ours.obsolete, theirs.obsolete)
    merged.obsolete = False if obsolete_conflict else obsolete
    comments, comments_conflict = _three_way(base.comments if base else [], ours.comments, theirs.comments)
    merged.comments = _union(ours.comments, theirs.comments) if comments_conflict else list(comments)
    if conflicted and CONFLICT_COMMENT not in merged.comments:
        merged.comments.append(CONFLICT_COMMENT)
    source, _ = _three_way(_source_info(base), _source_info(ours), _source_info(theirs))
    extracted, references, msgid_plural, flags = source
    merged.extracted, merged.references, merged.msgid_plural = list(extracted), list(references), msgid_plural
    merged.flags = (["fuzzy"] if merged.fuzzy else []) + list(flags)
    return merged, conflicted


def _parse_date(value: str) -> dt.datetime | None:
    match = re.match(r"(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d)(?::\d\d)?\s*([+-]\d\d):?(\d\d)", value.strip())
    if not match:
        return None
    year, month, day, hour, minute, tz_hours, tz_minutes = match.groups()
    offset = dt.timedelta(hours=int(tz_hours), minutes=int(tz_minutes) * (1 if tz_hours[0] != "-" else -1))
    return dt.datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=dt.timezone(offset))


def _later(ours: str, theirs: str) -> str:
    a, b = _parse_date(ours), _parse_date(theirs)
    if a and b:
        return theirs if b > a else ours
    return max(ours, theirs)


def merge_header(base: Catalog, ours: Catalog, theirs: Catalog, conflicts: list[str]) -> Message | None:
    if ours.header is None and theirs.header is None:
        return None
    header = (ours.header or theirs.header).copy()
    base_fields, our_fields, their_fields = (dict(c.metadata()) for c in (base, ours, theirs))
    names = list(dict.fromkeys([key for key, _ in ours.metadata()] + [key for key, _ in theirs.metadata()]))
    their_revision_is_later = _later(
        our_fields.get("PO-Revision-Date", ""), their_fields.get("PO-Revision-Date", "")
    ) != our_fields.get("PO-Revision-Date", "")
    merged: list[tuple[str, str]] = []
    notes: list[str] = []
    for name in names:
        base_value, our_value, their_value = base_fields.get(name), our_fields.get(name), their_fields.get(name)
        value, conflicted = _three_way(base_value, our_value, their_value)
        if conflicted and our_value is not None and their_value is not None:
            if name in DATE_FIELDS:
                value = _later(our_value, their_value)
            elif name == "Last-Translator":
                value = their_value if their_revision_is_later else our_value
            elif name not in TOOL_FIELDS:
                notes.append(HEADER_CONFLICT.format(name=name, value=their_value))
                conflicts.append(f"header field {name}: ours {our_value!r}, theirs {their_value!r}")
        elif conflicted:
            value = our_value if our_value is not None else their_value  # one side deleted, the other changed
        if value is not None:
            merged.append((name, value))
    header.msgstr = format_header(merged)
    base_comments = base.header.comments if base.header else []
    our_comments = ours.header.comments if ours.header else []
    their_comments = theirs.header.comments if theirs.header else []
    comments, comments_conflict = _three_way(base_comments, our_comments, their_comments)
    header.comments = _union(our_comments, their_comments) if comments_conflict else list(comments)
    header.comments += [note for note in notes if note not in header.comments]
    return header


def merge_catalogs(base: Catalog, ours: Catalog, theirs: Catalog) -> tuple[Catalog, MergeResult]:
    result = MergeResult(name="")
    base_index, our_index, their_index = base.index(), ours.index(), theirs.index()

    # Order: ours, with entries only theirs has placed after the entry that precedes them there.
    order = [m.key for m in ours.messages if not m.is_header]
    their_order = [m.key for m in theirs.messages if not m.is_header]
    for position, key in enumerate(their_order):
        if key in our_index:
            continue
        predecessors = [k for k in reversed(their_order[:position]) if k in order]
        order.insert(order.index(predecessors[0]) + 1 if predecessors else 0, key)

    merged: list[Message] = []
    for key in order:
        base_entry, our_entry, their_entry = base_index.get(key), our_index.get(key), their_index.get(key)
        label = repr(key[1] if len(key[1]) <= 60 else key[1][:59] + "…")
        if our_entry is not None and their_entry is not None:
            entry, conflicted = merge_entry(base_entry, our_entry, their_entry)
            if conflicted:
                result.conflicts.append(f"msgid {label}: two different translations")
            merged.append(entry)
            continue
        present = our_entry if our_entry is not None else their_entry
        if base_entry is None:
            merged.append(present.copy())  # added on one side
        elif _translation(present) != _translation(base_entry) or present.comments != base_entry.comments:
            merged.append(present.copy())  # deleted on one side, changed on the other: keep it
            result.kept_deleted.append(f"msgid {label}")
        # else: deleted on one side, unchanged on the other: deleted

    header = merge_header(base, ours, theirs, result.conflicts)
    return Catalog(messages=([header] if header else []) + merged), result


def _read(path: Path, role: str) -> Catalog:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GuideError(f"{path}: cannot read {role} version: {exc.strerror}") from None
    return parse_catalog(data, path)


def merge_files(base: Path, ours: Path, theirs: Path, *, name: str | None = None) -> MergeResult:
    """Merge as git's merge driver does: the result replaces ``ours`` (%A)."""
    catalogs = [_read(path, role) for path, role in ((base, "the base"), (ours, "our"), (theirs, "their"))]
    merged, result = merge_catalogs(*catalogs)
    result.name = name or str(ours)
    write_catalog(ours, merged)
    return result
