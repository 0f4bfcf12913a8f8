"""Files the product writes are private: 0600 files, 0700 folders, never through a symlink.

The database, the conversation store, backups and exports hold customers' personal data, so no
other account on the machine may read them. ``private_umask()`` is set once per process by the CLI
(every file SQLite or the product creates is then 0600, every folder 0700); ``write_private`` and
``check_target`` are for files a user names on the command line: a symlink is refused (it could
point anywhere), and an existing file is only replaced with ``force``.
"""
from __future__ import annotations

import os
from pathlib import Path

from domain.errors import DomainError

PRIVATE_UMASK = 0o077


def private_umask() -> None:
    """From now on this process creates files 0600 and folders 0700."""
    os.umask(PRIVATE_UMASK)


def private_folder(path: Path) -> Path:
    """Create ``path`` (and its parents) 0700; an existing data folder is tightened to 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o700)
    return path


def check_target(path: Path, *, force: bool, field: str = "out") -> Path:
    """``path`` as a file to (re)create: refused when it is a symlink, when it exists (unless
    ``force``), when it is a folder, or when its folder does not exist."""
    path = Path(path).expanduser()
    if path.is_symlink():
        raise DomainError(f"{path} is a symbolic link; give the path of a regular file (links are never "
                          "followed, they could point anywhere)", field=field)
    if path.is_dir():
        raise DomainError(f"{path} is a folder; give a file name", field=field)
    if path.exists() and not force:
        raise DomainError(f"{path} already exists; choose a new file name, or add --force to replace it",
                          field=field)
    if not path.parent.is_dir():
        raise DomainError(f"the folder {path.parent} does not exist; create it first", field=field)
    return path


def write_private(path: Path, text: str, *, force: bool = False, field: str = "out") -> Path:
    """Write ``text`` to a new 0600 file at ``path`` (see ``check_target``); replacing an existing
    file with ``force`` goes through a temporary file and a rename, never through a link."""
    path = check_target(path, force=force, field=field)
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(partial, flags, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        if path.is_symlink():  # appeared meanwhile
            raise DomainError(f"{path} became a symbolic link; nothing was written", field=field)
        os.replace(partial, path)
    except OSError as exc:
        raise DomainError(f"cannot write {path}: {exc.strerror or exc}", field=field) from exc
    finally:
        if partial.exists():
            partial.unlink()
    return path
