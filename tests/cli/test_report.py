"""simsys report: one self-contained HTML page, checked in headless Chromium."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from simsys.cli import cli

MODEL = (Path(__file__).resolve().parents[1] / "analysis" / "models" / "regions.mdl").as_posix()
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# appended to a copy of the page: writes what the browser saw into the DOM that --dump-dom prints
PROBE = """<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message || e)), true);
const _err = console.error; console.error = (...a) => { window.__errors.push(a.join(' ')); _err(...a); };
window.addEventListener('load', () => {
  const imgs = [...document.images];
  const bad = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).length;
  const p = document.createElement('pre'); p.id = 'probe';
  p.textContent = `images=${imgs.length} broken=${bad} errors=${window.__errors.length}`;
  document.body.appendChild(p);
});
</script>"""


@pytest.fixture
def reform(tmp_path):
    (tmp_path / "base.toml").write_text(f'[scenario]\nname = "base"\nmodel = "{MODEL}"\n')
    path = tmp_path / "reform.toml"
    path.write_text('# Question: what does a reform in the east alone do to output?\n'
                    '[scenario]\nname = "reform"\nextends = "base.toml"\n[levers]\n'
                    'Reform = { east = 1.0 }\n')
    return path


def test_report_is_one_self_contained_page(runner, reform, tmp_path):
    out = tmp_path / "rep"
    res = runner.invoke(cli, ["report", str(reform), "--out", str(out)])
    assert res.exit_code == 0, res.output
    page = (out / "reform.html").read_text(encoding="utf-8")
    assert "what does a reform in the east alone do to output?" in page
    for section in ("Headline", "Trajectories", "Map", "Spatial autocorrelation",
                    "Coupling coordination", "Difference-in-differences", "Reproduce"):
        assert f"<h2>{section}</h2>" in page
    srcs = re.findall(r'<img src="([^"]+)"', page)
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert "http://" not in page and "https://" not in page  # nothing fetched from elsewhere
    assert "TWFE" in page and "Treated: east" in page
    assert "31 provinces" in page  # five test regions: the map is skipped with a note
    manifest = json.loads((out / "reform.manifest.json").read_text(encoding="utf-8"))
    assert f"<code>{manifest['results']['sha256']}</code>" in page  # the digest a reader checks


@pytest.mark.skipif(BROWSER is None, reason="no Chromium installed (apt-get install chromium)")
def test_report_renders_in_headless_chromium(runner, reform, tmp_path):
    out = tmp_path / "rep"
    assert runner.invoke(cli, ["report", str(reform), "--out", str(out)]).exit_code == 0
    page = (out / "reform.html").read_text(encoding="utf-8")
    probe = out / "probe.html"
    probe.write_text(page.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    run = subprocess.run([BROWSER, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                          "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()],
                         capture_output=True, text=True, timeout=180)
    found = re.search(r"images=(\d+) broken=(\d+) errors=(\d+)", run.stdout)
    assert found, run.stderr[-2000:]
    images, broken, errors = map(int, found.groups())
    assert images == page.count("<img ") and images >= 4
    assert broken == 0 and errors == 0
