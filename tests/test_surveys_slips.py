"""What the office prints for a campaign: invitation slips (ten codes a page) and open-link
posters (one unit a page), whose QR codes decode to the links printed beside them."""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess

import pytest

from tests import survey_world


@pytest.mark.skipif(
    not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
    reason="zbarimg (zbar-tools) and pdftoppm (poppler-utils) are needed; .ci/run installs them",
)
def test_slip_qr_codes_decode_to_their_printed_links(signed_in, session, org, tmp_path):
    campaign = survey_world.campaign_for(session, org.company_a)
    survey_world.add_roster(session, org.branch_a1, 4)
    session.commit()
    client = signed_in("office_a", ("office", org.company_a))
    body = client.post(f"/surveys/{campaign.id}/invitations").get_data(as_text=True)
    rows = html.unescape(re.search(r'name="rows" value="([^"]*)"', body).group(1))
    pdf = client.post(f"/surveys/{campaign.id}/slips.pdf", data={"rows": rows}).data
    (tmp_path / "slips.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "slips.pdf", "page"], cwd=tmp_path, check=True)
    decoded = subprocess.run(
        ["zbarimg", "--raw", "-q", *sorted(str(p) for p in tmp_path.glob("page*.png"))],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    printed = re.findall(r"http://localhost/s/[\w-]+", body)
    assert len(decoded) == 4 and set(decoded) <= set(printed), (decoded, printed)


@pytest.mark.skipif(
    not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
    reason="zbarimg (zbar-tools) and pdftoppm (poppler-utils) are needed; .ci/run installs them",
)
def test_open_links_come_as_qr_posters_one_unit_a_page(signed_in, session, org, tmp_path):
    from pypdf import PdfReader

    campaign = survey_world.campaign_for(session, org.company_a)
    org.branch_a1.headcount, org.branch_a2.headcount = 12, 30  # an open link's cap
    session.commit()
    client = signed_in("office_a", ("office", org.company_a))
    body = client.post(f"/surveys/{campaign.id}/open-links").get_data(as_text=True)
    assert "posters.pdf" in body and "slips.pdf" not in body
    rows = html.unescape(re.search(r'name="rows" value="([^"]*)"', body).group(1))
    printed = sorted(set(re.findall(r"http://localhost/s/o/[\w-]+", body)))  # table and form
    response = client.post(f"/surveys/{campaign.id}/posters.pdf", data={"rows": rows})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.data)).pages) == len(printed) > 1
    (tmp_path / "posters.pdf").write_bytes(response.data)
    subprocess.run(
        ["pdftoppm", "-r", "72", "-png", "posters.pdf", "page"], cwd=tmp_path, check=True
    )
    decoded = [
        subprocess.run(
            ["zbarimg", "--raw", "-q", str(page)], capture_output=True, text=True, check=True
        ).stdout.strip()
        for page in sorted(tmp_path.glob("page*.png"))
    ]
    assert sorted(decoded) == sorted(printed)  # at 72 dpi: large enough to scan from afar


def test_slips_pdf_carries_each_code_ten_to_a_page(signed_in, session, org):
    import html

    from pypdf import PdfReader

    campaign = survey_world.campaign_for(session, org.company_a)
    survey_world.add_roster(session, org.branch_a1, 11)
    session.commit()
    client = signed_in("office_a", ("office", org.company_a))
    body = client.post(f"/surveys/{campaign.id}/invitations").get_data(as_text=True)
    assert "slips.pdf" in body
    rows = html.unescape(re.search(r'name="rows" value="([^"]*)"', body).group(1))
    codes = re.findall(r"<code>([0-9A-Z]{5}-[0-9A-Z]{5})</code>", body)
    response = client.post(f"/surveys/{campaign.id}/slips.pdf", data={"rows": rows})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 2
    text = "".join(page.extract_text() for page in reader.pages)
    assert all(code in text for code in codes) and "http://localhost/s" in text
    assert client.post(f"/surveys/{campaign.id}/slips.pdf", data={"rows": "[1]"}).status_code == 400
