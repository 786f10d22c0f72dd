"""Files users upload: how big they may be, what they really are, where they are kept.

- Size: at most ``settings.UPLOAD_MAX_BYTES`` (CONGDANSO_UPLOAD_MAX_MB, 50 MB by default).
  `UploadSizeLimitHandler` drops a bigger file while it is being received, so it never fills
  the disk; `upload_check` refuses it again whatever way it came.
- Kind: judged by the content, never by the file name or the browser's Content-Type.
    xlsx  a zip archive holding ``[Content_Types].xml`` and ``xl/workbook.xml``
    ods   a zip archive whose ``mimetype`` member says
          ``application/vnd.oasis.opendocument.spreadsheet``
    xls   an OLE2 compound file (magic D0 CF 11 E0) with a ``Workbook`` (or ``Book``) stream
    csv   text in UTF-8, UTF-16 (with its BOM) or Windows-1258, decoded as the importer
          decodes it, with no NUL or other control character and nothing that looks like HTML
  Anything else (a renamed program, an HTML page, a Word document) is refused.
- Zip bombs: an archive that unpacks to more than ``UNPACKED_FACTOR`` times the size limit,
  one member packed more than ``MAX_RATIO`` to 1, or more than ``MAX_MEMBERS`` members, is
  refused before anything reads it; then every member is unpacked (to nothing) so that a
  header lying about a size shows up as a CRC error and the file is refused as damaged.
- Passwords: Excel saves a password-protected workbook as an OLE2 file holding an
  ``EncryptedPackage`` stream; a zip member can be encrypted; an ODS file lists its encryption
  in ``META-INF/manifest.xml``. All are refused with a message saying the file has a password.
  (A password-protected legacy .xls is only found when it is read: the importer says so.)
- Storage: ``upload_store`` writes under ``settings.UPLOAD_ROOT`` (DATA_DIR/uploads, mode
  0700) with a random name and mode 0600. That folder is outside STATIC_ROOT and MEDIA_ROOT
  and no URL leads to it: an upload is never executed or served back.
"""

import codecs
import os
import re
import secrets
import shutil
import struct
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import DomainError, Message

KINDS = ("xlsx", "xls", "ods", "csv")
MAX_RATIO = 100
UNPACKED_FACTOR = 20  # 1 GB unpacked for the 50 MB default: a real 50 MB workbook is ~500 MB
MAX_MEMBERS = 10_000
_RATIO_FLOOR = 1 << 20  # members smaller than this cannot make a bomb, whatever their ratio
_CHUNK = 1 << 20  # a multiple of 128, the size of an OLE2 directory entry

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# Text-only formats that are not tables: PDF, Windows and Linux programs, scripts, RTF.
_NOT_TEXT = (b"%PDF-", b"MZ", b"\x7fELF", b"#!", b"{\\rtf")
_OLE_STREAMS = {
    name: (name + "\0").encode("utf-16-le") for name in ("Workbook", "Book", "EncryptedPackage")
}
# Tab, line feed, vertical tab, form feed, carriage return and Ctrl-Z (an old end-of-file
# mark) occur in real CSV files; no other control character does.
_CONTROL = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f\x7f]")
_MARKUP = re.compile(
    r"<\s*(?:!doctype|html|head|body|script|iframe|svg|object|embed|meta|form)\b", re.IGNORECASE
)

_size_text = lazy(filesizeformat, str)  # rendered in the language the message is shown in


def upload_check(
    file: IO[bytes], *, allowed: Iterable[str] = KINDS, max_bytes: int | None = None
) -> str:
    """The kind of the uploaded file ("xlsx", "xls", "ods" or "csv"), judged by its content.

    Raises DomainError with a message for the user when the file is too big, empty, of
    another kind, damaged, a possible zip bomb or protected by a password. The file is left
    positioned at its start.
    """
    allowed = tuple(allowed)
    limit = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    file.seek(0, os.SEEK_END)
    size = file.tell()
    if size > limit:
        raise _too_large(size, limit)
    if size == 0:
        raise DomainError(Message(_("The file is empty.")), code="upload_empty")
    file.seek(0)
    head = file.read(len(_OLE_MAGIC))
    try:
        if head.startswith(_ZIP_MAGIC):
            kind = _zip_kind(file, unpacked_limit=UNPACKED_FACTOR * limit)
        elif head.startswith(_OLE_MAGIC):
            kind = _ole_kind(file)
        elif "csv" in allowed and not head.startswith(_NOT_TEXT):
            kind = "csv" if _is_text(file) else None
        else:
            kind = None
        if kind is None or kind not in allowed:
            raise _wrong_kind(allowed)
    finally:
        file.seek(0)
    return kind


def upload_store(
    file: IO[bytes], *, allowed: Iterable[str] = KINDS, max_bytes: int | None = None
) -> Path:
    """Check the file (see `upload_check`) and keep a copy under UPLOAD_ROOT.

    The copy gets a random name with the detected kind as suffix (``….xlsx``), mode 0600, in a
    folder of mode 0700. Returns its path; the caller deletes it when done with it.
    """
    kind = upload_check(file, allowed=allowed, max_bytes=max_bytes)
    folder = Path(settings.UPLOAD_ROOT)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    path = folder / f"{secrets.token_hex(16)}.{kind}"
    descriptor = _create_private(path)
    try:
        with os.fdopen(descriptor, "wb") as out:
            file.seek(0)
            shutil.copyfileobj(file, out, _CHUNK)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    finally:
        file.seek(0)
    return path


def _create_private(path: Path) -> int:
    """A descriptor to write a new file at `path`, mode 0600. Anything at the path already — a
    file, a symbolic link — makes it fail with FileExistsError: an upload never writes over
    another file nor through a link."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    return os.open(path, flags, 0o600)


class UploadSizeLimitHandler(FileUploadHandler):
    """The first upload handler: drops a file as soon as it passes UPLOAD_MAX_BYTES.

    The rest of that file is read and thrown away, nothing of it is kept; the form then finds
    no file in the field and the view asks `upload_refused` why.
    """

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        received = start + len(raw_data)
        if received > settings.UPLOAD_MAX_BYTES:
            refused = getattr(self.request, "_uploads_too_large", {})
            refused[self.field_name] = received
            setattr(self.request, "_uploads_too_large", refused)  # noqa: B010  # not a field
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers keep the file


def upload_refused(request: HttpRequest, field_name: str) -> DomainError | None:
    """The error to show when `UploadSizeLimitHandler` dropped the file sent in the field."""
    received = getattr(request, "_uploads_too_large", {}).get(field_name)
    if received is None:
        return None
    return _too_large(received, settings.UPLOAD_MAX_BYTES, at_least=True)


def _too_large(size: int, limit: int, *, at_least: bool = False) -> DomainError:
    template = (
        _("The file is more than %(size)s; the limit is %(limit)s.")
        if at_least
        else _("The file is %(size)s; the limit is %(limit)s.")
    )
    return DomainError(
        Message(template, size=_size_text(size), limit=_size_text(limit)),
        code="upload_too_large",
    )


def _wrong_kind(allowed: tuple[str, ...]) -> DomainError:
    return DomainError(
        Message(
            _(
                "This file is not one of the accepted kinds (%(kinds)s). Its content was "
                "checked, not its name: save it again as one of those kinds."
            ),
            kinds=", ".join(allowed),
        ),
        code="upload_wrong_type",
    )


def _has_password() -> DomainError:
    return DomainError(
        Message(
            _(
                "The file is protected by a password. Open it, remove the password, save it "
                "and send it again."
            )
        ),
        code="upload_encrypted",
    )


def _damaged() -> DomainError:
    return DomainError(Message(_("The file is damaged and cannot be read.")), code="upload_damaged")


_TOO_MANY_MEMBERS = _("The file cannot be accepted: it holds more than %(count)s files inside.")
_TOO_BIG_UNPACKED = _("The file cannot be accepted: unpacked, it would be more than %(limit)s.")
_TOO_COMPRESSED = _(
    "The file cannot be accepted: part of it is compressed more than %(ratio)s to 1."
)

# What a damaged or hostile archive makes the zipfile module raise.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OSError,
    OverflowError,
)


def _zip_kind(file: IO[bytes], *, unpacked_limit: int) -> str | None:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            _check_zip_sizes(members, unpacked_limit=unpacked_limit)
            kind = _zip_contents_kind(archive)
            if kind is None:
                return None
            # Unpack everything to nothing: zipfile stops at the size a member declares, so a
            # member that would unpack to more fails its CRC check here instead of later.
            for member in members:
                with archive.open(member) as stream:
                    while stream.read(_CHUNK):
                        pass
            return kind
    except _ZIP_ERRORS as error:
        raise _damaged() from error


def _check_zip_sizes(members: list[zipfile.ZipInfo], *, unpacked_limit: int) -> None:
    def bomb(template: Promise, **params: Any) -> DomainError:
        return DomainError(Message(template, **params), code="upload_zip_bomb")

    if len(members) > MAX_MEMBERS:
        raise bomb(_TOO_MANY_MEMBERS, count=MAX_MEMBERS)
    if sum(member.file_size for member in members) > unpacked_limit:
        raise bomb(_TOO_BIG_UNPACKED, limit=_size_text(unpacked_limit))
    for member in members:
        if member.flag_bits & 0x1:
            raise _has_password()
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FLOOR and ratio > MAX_RATIO:
            raise bomb(_TOO_COMPRESSED, ratio=MAX_RATIO)


def _zip_contents_kind(archive: zipfile.ZipFile) -> str | None:
    names = set(archive.namelist())
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return "xlsx"
    if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
        if archive.read("mimetype").strip() != _ODS_MIMETYPE:
            return None
        manifest = "META-INF/manifest.xml"
        if (
            manifest in names
            and archive.getinfo(manifest).file_size < _CHUNK
            and b"encryption-data" in archive.read(manifest)
        ):
            raise _has_password()
        return "ods"
    return None


def _ole_kind(file: IO[bytes]) -> str | None:
    streams = _ole_stream_names(file)
    if "EncryptedPackage" in streams:
        raise _has_password()
    if streams & {"Workbook", "Book"}:
        return "xls"
    return None


def _ole_stream_names(file: IO[bytes]) -> set[str]:
    """Which of the streams we look for the compound file's directory names.

    A directory entry is 128 bytes, aligned on 128 in the file, and starts with the name in
    UTF-16LE followed by its length in bytes at offset 64. Looking for those names at those
    places needs no parsing of the allocation tables, which a hostile file could make loop.
    """
    found: set[str] = set()
    file.seek(0)
    offset = 0
    while chunk := file.read(_CHUNK):
        for name, pattern in _OLE_STREAMS.items():
            at = chunk.find(pattern)
            while at != -1 and name not in found:
                length = chunk[at + 64 : at + 66]
                if (offset + at) % 128 == 0 and length == struct.pack("<H", len(pattern)):
                    found.add(name)
                at = chunk.find(pattern, at + 1)
        offset += len(chunk)
    return found


def _is_text(file: IO[bytes]) -> bool:
    """Whether the file is text in an encoding the importer reads, and no markup.

    What goes wrong in the first megabyte says the file is not text at all; a bad byte further
    on is reported with its place, for a text file mixing two encodings.
    """
    file.seek(0)
    head = file.read(_CHUNK)
    encoding = _text_encoding(head)
    if encoding is None:
        return False
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    file.seek(0)
    offset = 0
    while True:
        chunk = file.read(_CHUNK)
        pending = len(decoder.getstate()[0])  # bytes of a character cut by the last chunk
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            if offset == 0:
                return False
            raise DomainError(
                Message(
                    _(
                        "The text file is not valid UTF-8, UTF-16 or Windows-1258 text "
                        "(byte %(offset)s)."
                    ),
                    offset=offset - pending + max(error.start, 0) + 1,  # counted from 1
                ),
                code="upload_bad_text",
            ) from error
        if _CONTROL.search(text):
            return False
        if offset == 0 and (text.lstrip("\ufeff \t\r\n").startswith("<") or _MARKUP.search(text)):
            return False
        if not chunk:
            return True
        offset += len(chunk)


def sample_encoding(head: bytes) -> str:
    """The encoding of a text file whose first bytes are `head`: the BOM's, else UTF-8 when
    they decode as UTF-8, else Windows-1258 (the Vietnamese code page of older Excel CSVs).
    The importer reads with it (people.importing.reading) and the upload check tests it.

    A sample may end inside a character of several bytes: that is what UTF-8 reports as
    "unexpected end of data" in its last three bytes, and it is no sign of another code page;
    any other error, even in the last bytes (a Windows-1258 "é" before two letters), is."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        cut = error.reason == "unexpected end of data" and error.start >= len(head) - 3
        if not cut:
            return "cp1258"
    return "utf-8"


def _text_encoding(head: bytes) -> str | None:
    """The encoding the importer will read the file with; None for binary bytes."""
    boms = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    if b"\0" in head and not head.startswith(boms):
        return None  # binary, or UTF-16 without a BOM, which the importer cannot read
    return sample_encoding(head)
