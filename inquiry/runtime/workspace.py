"""The workspace: store, outbox, inbox, reports, logs and settings in one folder.

Everything a command writes to ``outbox/`` is first written as ``NAME.part``
and renamed only after the store has committed the record of it; at the
start of every command :meth:`Workspace.recover` finishes or discards what a
killed command left, so a ``.part`` never lingers and a request file never
exists without its record (or the reverse). Before that, with the lock held
and before the store is opened, :meth:`Workspace.discard_conversion` finishes
what a killed ``inquiry encrypt`` left next to the store.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import polars as pl

from formats.files import sha256_of
from formats.limits import SERVICE_FILE
from inquiry.messages import text
from inquiry.runtime.crypto import configured_key
from inquiry.runtime.csvout import write_rejects
from inquiry.runtime.lock import WorkspaceLock
from inquiry.runtime.settings import Settings
from inquiry.runtime.store import Store

__all__ = ["Workspace", "NotAWorkspace", "default_home", "owner_only", "wipe", "zero"]

PART = ".part"
#: ``inquiry encrypt``: the encrypted copy before it takes the store's name
ENCRYPTING = ".encrypting"
#: ``inquiry encrypt``: a second name of the unencrypted store, kept to overwrite its bytes after the switch
UNENCRYPTED = ".unencrypted"


class NotAWorkspace(RuntimeError):
    pass


def owner_only() -> None:
    """Everything this process creates from now on is readable by its owner only (protection.md).

    A process-wide ``umask 077`` covers every writer at once — request files,
    reports, logs, the store's journal — rather than trusting each to chmod.
    """
    if os.name != "nt":
        os.umask(0o077)


def zero(handle: BinaryIO) -> None:
    """Overwrite the whole open file with zeros and flush it to the disk."""
    size = os.fstat(handle.fileno()).st_size
    block = bytes(1 << 20)
    handle.seek(0)
    for start in range(0, size, len(block)):
        handle.write(block[: min(len(block), size - start)])
    handle.flush()
    os.fsync(handle.fileno())


def wipe(path: Path) -> None:
    """Overwrite ``path`` with zeros, then delete it: its bytes do not stay readable in free blocks.

    Best effort: a journaling or copy-on-write file system, or an SSD's wear
    levelling, may keep earlier copies of the blocks where no program can
    reach them; full-disk encryption (BitLocker etc.) is the office's layer
    for that.
    """
    with path.open("r+b") as handle:
        zero(handle)
    path.unlink()


def default_home(home: Path | None) -> Path:
    """``--home``, else ``$INQUIRY_HOME``, else ``./inquiry-home``."""
    if home is not None:
        return home
    env = os.environ.get("INQUIRY_HOME")
    return Path(env) if env else Path("inquiry-home")


#: group or other may read, write or enter
_LOOSE = stat.S_IRWXG | stat.S_IRWXO


def tighten(home: Path) -> list[str]:
    """Make a loosened workspace owner-only again (folders 0700, files 0600); say what was changed.

    protection.md: a workspace found loosened (a store copied back as 0644, a
    folder made 0755 by hand or by another tool) is tightened or refused with
    a message at the start of every command. Tightened here, as the owner may;
    where the owner may not (a file of another user), :class:`NotAWorkspace`
    refuses the command. Symbolic links are not followed. On Windows the
    folder's ACL is the office's to set: nothing is done.
    """
    if os.name == "nt":
        return []
    changed: list[str] = []
    for folder, dirs, files in os.walk(home):
        base = Path(folder)
        for path, wanted in [(base, 0o700)] + [(base / f, 0o600) for f in files]:
            try:
                mode = path.lstat().st_mode
            except FileNotFoundError:  # a writer's temporary file, gone meanwhile
                continue
            if stat.S_ISLNK(mode) or not mode & _LOOSE:
                continue
            try:
                path.chmod(wanted)
            except PermissionError:
                raise NotAWorkspace(text("cannot_tighten", path=path)) from None
            changed.append(f"{path.relative_to(home).as_posix() if path != home else '.'} {stat.S_IMODE(mode):o}")
        dirs[:] = [d for d in dirs if not (base / d).is_symlink()]
    return changed


@dataclass
class Workspace:
    home: Path
    settings: Settings
    #: what :meth:`open` found loosened and made owner-only again, for the command to say
    tightened: list[str] = field(default_factory=list)

    @property
    def store_path(self) -> Path:
        return self.home / "store.sqlite3"

    @property
    def encrypting_path(self) -> Path:
        return self.home / ("store.sqlite3" + ENCRYPTING)

    @property
    def unencrypted_path(self) -> Path:
        return self.home / ("store.sqlite3" + UNENCRYPTED)

    @property
    def outbox(self) -> Path:
        return self.home / "outbox"

    @property
    def inbox(self) -> Path:
        return self.home / "inbox"

    @property
    def reports(self) -> Path:
        return self.home / "reports"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def settings_path(self) -> Path:
        return self.home / "settings.json"

    @classmethod
    def init(cls, home: Path, settings: Settings) -> Workspace:
        """Create the folders (owner-only) and the settings; an existing workspace is kept."""
        owner_only()
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(home, 0o700)
        ws = cls(home, settings)
        for d in (ws.outbox, ws.inbox, ws.reports, ws.logs):
            d.mkdir(exist_ok=True, mode=0o700)
        if not ws.settings_path.exists():
            settings.save(ws.settings_path)
            os.chmod(ws.settings_path, 0o600)
        else:
            ws.settings = Settings.load(ws.settings_path)
            if ws.settings.municipality_code != settings.municipality_code:
                raise ValueError(
                    text("other_office_workspace", home=home, code=ws.settings.municipality_code, name=ws.settings.municipality_name, wanted=settings.municipality_code)
                )
        try:
            ws.store().close()
        except ValueError:  # a key problem: the command's run_step says so and exits 2
            pass
        return ws

    @classmethod
    def open(cls, home: Path) -> Workspace:
        owner_only()
        settings_path = home / "settings.json"
        if not settings_path.exists():
            raise NotAWorkspace(text("not_a_workspace", home=home))
        ws = cls(home, Settings.load(settings_path))
        ws.tightened = tighten(home)
        return ws

    def tightened_note(self) -> str | None:
        """The message for what :meth:`open` tightened, or None."""
        if not self.tightened:
            return None
        return text("tightened", changed=", ".join(self.tightened))

    def lock(self) -> WorkspaceLock:
        return WorkspaceLock(self.home / ".lock")

    def store(self) -> Store:
        return Store(self.store_path, key=configured_key(self.home))

    # -- files written around a commit --------------------------------------
    def part_path(self, final: Path) -> Path:
        return final.with_name(final.name + PART)

    def publish(self, parts: list[Path]) -> None:
        """After the commit: give every ``.part`` file its final name."""
        for part in parts:
            part.replace(part.with_name(part.name[: -len(PART)]))

    def discard_conversion(self) -> list[str]:
        """Finish or discard what a killed ``inquiry encrypt`` left next to the store (inquiry/encrypt.py).

        ``store.sqlite3.encrypting`` is an encrypted copy that never took the
        store's name: the store is still the unencrypted one, the copy is
        deleted. ``store.sqlite3.unencrypted`` is a second name of the
        unencrypted file: while it is the same file as the store, the switch
        did not happen and only the name goes; once the store is the new
        file, it is the old unencrypted store, overwritten and deleted.
        Needs no store (so no key): run with the lock held, before the store is
        opened, since a command without the key cannot open the new store but
        must still not leave the old bytes lying there.
        """
        done: list[str] = []
        copy = self.encrypting_path
        for path in (copy, copy.with_name(copy.name + "-journal")):
            if path.exists():
                path.unlink()
                done.append(f"discarded unfinished {path.name}")
        old = self.unencrypted_path
        if old.exists():
            if os.path.samefile(old, self.store_path):  # a missing store raises: never wipe what may be the only copy
                old.unlink()
            else:
                wipe(old)
                done.append(f"overwrote and deleted {old.name}")
        return done

    def recover(self, store: Store) -> list[str]:
        """Finish or discard what a killed command left in ``outbox/`` and ``inbox/``."""
        done: list[str] = []
        for part in sorted(self.outbox.glob("*" + PART)):
            final = part.name[: -len(PART)]
            known = store.scalar("SELECT 1 FROM request_files WHERE file_name = ? AND sent_at IS NULL", (final,))
            if known:
                part.replace(self.outbox / final)
                done.append(f"recovered {final}")
            else:
                part.unlink()
                done.append(f"discarded unfinished {part.name}")
        # writers' temporary files, and reports a killed `report` left unfinished
        for part in [*self.reports.glob("*.tmp"), *self.outbox.glob(".*.tmp"), *self.reports.glob("*" + PART)]:
            part.unlink()
        # a command killed between its commit and its clean-up: finish the clean-up (送受信後直ちに削除)
        for path in sorted(p for p in self.outbox.iterdir() if p.is_file() and not p.name.endswith(PART)):
            if store.scalar("SELECT 1 FROM request_files WHERE file_name = ? AND sent_at IS NOT NULL", (path.name,)):
                path.unlink()
                done.append(f"deleted {path.name}: already recorded as sent")
        # Only a file named as one recorded can be what a killed ingest took in and left: the others (a night's
        # new answers, ~290 MB at M, waiting through `sent`) are not read. A copy of an ingested file under
        # another name waits for `ingest`, which skips it as already ingested and deletes it.
        waiting = self.inbox_files()
        recorded = {name for (name,) in store.conn.execute("SELECT DISTINCT file_name FROM response_files")} if waiting else set()
        for path in waiting:
            if path.name not in recorded:
                continue
            try:
                if path.stat().st_size > SERVICE_FILE.max_bytes:  # never ingested: `ingest` refuses it from its size
                    continue
                digest = sha256_of(path)
            except OSError:  # unreadable: `ingest` rejects it and moves it aside; no other command may fail on it
                continue
            if store.scalar("SELECT 1 FROM response_files WHERE sha256 = ?", (digest,)):
                path.unlink()
                done.append(f"deleted {path.name}: already ingested")
        return done

    def inbox_files(self) -> list[Path]:
        """The answer files waiting in ``inbox/``, by name (hidden files are writers' temporaries)."""
        return sorted(p for p in self.inbox.iterdir() if p.is_file() and not p.name.startswith("."))

    def write_rejects(self, rejects: pl.DataFrame, stamp: datetime) -> Path | None:
        """``reports/rejects-<timestamp>.csv`` with ``file, line, reason``."""
        return write_rejects(rejects, self.reports, stamp)
