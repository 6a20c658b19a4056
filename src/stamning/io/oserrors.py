"""Operating-system errors (a read-only folder, a full disk, a folder where a file was meant) as one
Swedish line naming the path and the fix, for the command line's error wrapper.

An OSError's own text is never shown whole: only its path and the system's short reason, which never
hold a comment's text."""

from __future__ import annotations

import errno

_FIXES = {
    errno.ENOSPC: "disken är full; frigör utrymme eller skriv till en annan disk (-o), kör sedan igen",
    errno.EDQUOT: "diskkvoten är slut; frigör utrymme eller skriv till en annan disk (-o), kör sedan igen",
    errno.EROFS: "filsystemet är skrivskyddat; välj en mapp du kan skriva i (t.ex. med -o)",
    errno.EACCES: "saknar behörighet; välj en mapp du kan skriva i (t.ex. med -o) eller ändra behörigheten",
    errno.EPERM: "åtgärden är inte tillåten; välj en mapp du kan skriva i (t.ex. med -o) eller ändra behörigheten",
    errno.EISDIR: "är en mapp, inte en fil; ge ett filnamn",
    errno.ENOTDIR: "en del av sökvägen är en fil, inte en mapp; rätta sökvägen",
    errno.ENOENT: "finns inte; kontrollera sökvägen",
    errno.ENAMETOOLONG: "sökvägen är för lång; välj ett kortare filnamn",
    errno.EMFILE: "för många öppna filer; stäng andra program eller höj gränsen (ulimit -n)",
    errno.EIO: "läs- eller skrivfel på disken; kontrollera disken och kör igen",
}


def os_error_message(exc: OSError) -> str:
    """One line: the path (when known), what went wrong and the fix."""
    where = str(exc.filename) if exc.filename is not None else "en fil"
    fix = _FIXES.get(exc.errno) if exc.errno is not None else None
    if fix is None:
        reason = exc.strerror or type(exc).__name__
        fix = f"fel från operativsystemet ({reason}); kontrollera sökvägen och disken och kör igen"
    return f"{where}: {fix}"
