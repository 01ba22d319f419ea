import base64
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from contactaudit.reporters import html_report
from reporting_samples import assert_golden, findings_frame, hostile_row, sample_report

SVG = re.compile(r'<svg\b[^>]*\bid="([^"]+)"[^>]*>.*?</svg>', re.DOTALL)


def normalised(html: str) -> str:
    """The page with each pygal chart reduced to its id: pygal's drawing is pygal's
    business, the rest of the page is ours."""
    return SVG.sub(r'<svg id="\1">…</svg>', html)


def test_report_html_matches_golden_excerpt():
    assert_golden("report.html", normalised(html_report.render(sample_report())))


def test_rendering_is_deterministic():
    # pygal stamps a random uuid and today's date into every chart unless we stop it
    assert html_report.render(sample_report()) == html_report.render(sample_report())


def test_page_is_self_contained_with_no_url_at_all():
    html = html_report.render(sample_report())
    assert not re.search(r"https?:", html)
    assert not re.search(r"\s(?:src|href|xlink:href)\s*=", html)
    assert "url(" not in html and "@import" not in html
    assert "<link" not in html and "<iframe" not in html


def test_content_security_policy_allows_only_our_inline_scripts():
    html = html_report.render(sample_report())
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp
    scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    assert len(scripts) == 2
    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]


def test_summary_cards_charts_and_inputs():
    html = html_report.render(sample_report())
    assert re.search(
        r'class="card decision fail".*?FAIL.*?exit 1: 6 findings at or above high', html, re.DOTALL
    )
    assert len(re.findall(r'<svg role="img" id="chart-(?:by-code|by-severity|trend)"', html)) == 3
    assert ">phone-shared-by-borrowers</text>" in html  # a pygal axis label
    assert "New since last run" in html and "Resolved since last run" in html
    assert "phone ← 手机号" in html
    assert "unparseable-date in verified_at ×2 (rows 4, 9)" in html


def test_findings_table_has_one_row_per_finding_worst_first():
    html = html_report.render(sample_report())
    rows = re.findall(r'<tr data-severity="(\w+)" data-code="([\w-]+)"', html)
    assert len(rows) == 9
    assert rows[0] == ("critical", "phone-reassigned")
    assert [r[0] for r in rows][-1] == "info"
    assert "联系人号码是另一位借款人的手机号" in html
    assert "borrowers:6:B005; contacts:7" in html


def test_hostile_text_is_escaped():
    payload = "<script>alert(1)</script>"
    rows = [hostile_row(payload, '"><img src=x onerror=alert(2)>' + payload)]
    html = html_report.render(sample_report(rows))
    assert payload not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html


def test_trend_placeholder_without_history():
    html = html_report.render(sample_report(history_trend=[]))
    assert 'id="trend-placeholder"' in html
    assert 'id="chart-trend"' not in html


def test_large_reports_embed_only_the_first_5000_findings():
    frame = pd.concat([findings_frame()] * 560, ignore_index=True)  # 5,040 findings
    html = html_report.render(sample_report(findings=frame))
    assert html.count("<tr data-severity=") == 5000
    assert "Showing the first 5,000 of 5,040 findings (worst first)" in html


def test_empty_report_renders_without_charts_or_table():
    html = html_report.render(sample_report([], new=None, resolved=None, history_trend=[]))
    assert "No findings, so nothing to chart." in html
    assert 'id="findings"' not in html
    assert "New since last run" not in html
    assert re.search(r'class="card decision pass"', html)


# --- headless browser ----------------------------------------------------------


def chromium_or_skip() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail("CI is set but no chromium is installed: the browser test must run in CI")
    pytest.skip("chromium is not installed (apt-get install chromium)")


def browse(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    command = [
        chromium_or_skip(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
        url,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def dom_attributes(dom: str, tag: str) -> dict[str, str]:
    opening = re.search(rf"<{tag}\b([^>]*)>", dom).group(1)
    return dict(re.findall(r'([\w-]+)="([^"]*)"', opening))


@pytest.mark.browser
def test_page_runs_in_a_headless_browser(tmp_path):
    rows = [*findings_frame().itertuples(index=False, name=None)]
    rows.append(
        hostile_row(
            "<script>document.body.dataset.pwned='1'</script>",
            "<img src=x onerror=\"document.body.dataset.pwned='2'\">",
        )
    )
    page = tmp_path / "report.html"
    page.write_text(html_report.render(sample_report(rows)), encoding="utf-8")

    dom = browse(tmp_path, page.as_uri(), "--dump-dom").stdout
    html_attrs, body = dom_attributes(dom, "html"), dom_attributes(dom, "body")
    assert "data-errors" not in html_attrs, html_attrs["data-errors"]
    assert body.get("data-ready") == "1"
    assert body.get("data-rows") == "10"
    assert body.get("data-visible") == "10"
    assert body.get("data-charts") == "3"
    assert "data-pwned" not in body

    # The fragment drives the filters: severity + code, then free text in Chinese.
    dom = browse(
        tmp_path, page.as_uri() + "#severity=high&code=phone-shared-by-borrowers", "--dump-dom"
    ).stdout
    assert dom_attributes(dom, "body").get("data-visible") == "2"
    dom = browse(tmp_path, page.as_uri() + "#q=%E8%81%94%E7%B3%BB%E4%BA%BA", "--dump-dom").stdout
    assert dom_attributes(dom, "body").get("data-visible") == "1"
    # Sorting by row, descending, puts row 20 (the hostile finding) first.
    dom = browse(tmp_path, page.as_uri() + "#sort=row&dir=desc", "--dump-dom").stdout
    first = re.search(r"<tbody>\s*<tr [^>]*>.*?</tr>", dom, re.DOTALL).group(0)
    assert '<td class="num">20</td>' in first

    shot = tmp_path / "report.png"
    browse(tmp_path, page.as_uri(), f"--screenshot={shot}", "--window-size=1280,2200")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000  # a blank page is a few kB
