"""Helpers for the tests of printed forms (every app's): the company name they print, and the fonts a
PDF embeds."""

import re
import subprocess

COMPANY = "浙江华泰电器有限公司"


def embedded_fonts(pdf: bytes, tmp_path) -> dict[str, bool]:
    """pdffonts' answer: font name -> embedded."""
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    output = subprocess.run(["/usr/bin/pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    fonts = {}
    for row in output.splitlines()[2:]:
        found = re.match(r"(\S+)\s.*?\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", row)
        if found:
            fonts[found[1]] = found[2] == "yes"
    return fonts
