"""Writing an archive: members streamed one after the other into a ZIP file, checked, then
handed to private storage.

The ZIP format is stream-zip's: each member is read from storage in chunks of 64 KiB and
written out at once, so neither the archive nor any set of photos is ever held in memory;
the only things held are the list of members (names, dates, sizes) and one chunk. Photos and
videos are stored without compression (they are compressed already), texts are deflated.

The ZIP is written to a temporary file first (beside the storage's folder when storage is
local, so that storing it is a rename) and checked there: every expected name is listed, the
CRC-32 and size in the directory are those of the bytes read for each member, and each member
reads back. Only then is it stored; a half-written or corrupt archive is never offered.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from stream_zip import ZIP_AUTO, stream_zip

CHUNK = 64 * 1024
_FILE_MODE = stat.S_IFREG | 0o644
# Characters that no file system or unzip tool accepts in a name (and control characters).
_BAD_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


class ArchiveInvalid(Exception):
    """The written archive did not check out (a member missing or unreadable)."""


@dataclass
class Member:
    """One file in the archive: its path, its date, and where its bytes come from."""

    name: str
    modified: dt.datetime
    chunks: Callable[[], Iterable[bytes]]
    size: int
    compress: bool = False

    @classmethod
    def text(cls, name: str, content: str, modified: dt.datetime) -> Member:
        data = content.encode("utf-8")
        return cls(name=name, modified=modified, chunks=lambda: [data], size=len(data), compress=True)

    @classmethod
    def stored(cls, name: str, field_file, modified: dt.datetime, size: int | None = None) -> Member:
        """A file in storage (a FieldFile), read in chunks when its turn comes."""
        storage, stored_name = field_file.storage, field_file.name

        def chunks() -> Iterator[bytes]:
            with storage.open(stored_name, "rb") as handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

        known = size if size else storage.size(stored_name)
        return cls(name=name, modified=modified, chunks=chunks, size=known)


def safe_name(text: str, fallback: str = "bestand", limit: int = 80) -> str:
    """A file or folder name from free text (a group name, a subject): no slashes, no control
    characters, not empty, not too long."""
    cleaned = _BAD_NAME.sub(" ", text).strip(" .")
    cleaned = " ".join(cleaned.split())[:limit].strip(" .")
    return cleaned or fallback


@dataclass
class UniqueNames:
    """Gives each member a name no other member has: "x.jpg", "x (2).jpg", ..."""

    used: set[str] = field(default_factory=set)

    def __call__(self, name: str) -> str:
        candidate, number = name, 1
        stem, dot, extension = name.rpartition(".")
        if not dot or "/" in extension:
            stem, extension = name, ""
        while candidate.lower() in self.used:
            number += 1
            candidate = f"{stem} ({number}).{extension}" if extension else f"{stem} ({number})"
        self.used.add(candidate.lower())
        return candidate


@dataclass
class Written:
    path: str
    size: int
    names: list[str]


def write_zip(
    members: list[Member],
    *,
    progress: Callable[[int], None] | None = None,
    directory: str | None = None,
    progress_every: float = 1.0,
) -> Written:
    """Write the members into a new temporary file (in `directory`) and check it.
    `progress(done)` is called at most every `progress_every` seconds (and at the end) with
    the number of members done. The caller removes the file (`Written.path`) or moves it into
    storage."""
    done = 0
    last_report = time.monotonic()
    sums: list[tuple[int, int]] = []  # (CRC-32, size) of each member, as its bytes went by

    def counted(member: Member) -> Iterator[bytes]:
        nonlocal done, last_report
        crc = size = 0
        for chunk in member.chunks():
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
            yield chunk
        sums.append((crc, size))
        done += 1
        if progress is not None and time.monotonic() - last_report >= progress_every:
            last_report = time.monotonic()
            progress(done)

    def entries():
        for member in members:
            method = ZIP_AUTO(member.size, level=6 if member.compress else 0)
            yield member.name, _zip_time(member.modified), _FILE_MODE, method, counted(member)

    handle, path = tempfile.mkstemp(prefix="ouderportaal-archive-", suffix=".zip", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in stream_zip(entries(), chunk_size=CHUNK):
                out.write(chunk)
        names = [m.name for m in members]
        check_zip(path, names, sums)
        if progress is not None:
            progress(done)
        return Written(path=path, size=os.path.getsize(path), names=names)
    except BaseException:
        os.unlink(path)
        raise


def check_zip(path: str, expected: list[str], sums: list[tuple[int, int]]) -> None:
    """The archive as written holds exactly the expected members, in order, each with the
    CRC-32 and size of the bytes that were read for it (so the central directory that unzip
    tools trust is right), and each member's start reads back through its own local header.
    This reads the directory and a little of each member, not the whole archive again."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if [info.filename for info in infos] != expected:
                missing = sorted(set(expected) - {info.filename for info in infos})[:3]
                raise ArchiveInvalid(f"members missing or unexpected: {missing}")
            for info, (crc, size) in zip(infos, sums, strict=True):
                if (info.CRC, info.file_size) != (crc, size):
                    raise ArchiveInvalid(f"{info.filename}: not what was read for it")
                with archive.open(info) as member:
                    member.read(min(CHUNK, size))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error) as exc:
        raise ArchiveInvalid(str(exc)) from exc


def _zip_time(moment: dt.datetime) -> dt.datetime:
    """ZIP keeps local wall-clock times without a zone, from 1980 on."""
    from portal.core import clock

    local = clock.local(moment).replace(tzinfo=None) if moment.tzinfo else moment
    return max(local, dt.datetime(1980, 1, 1))
