"""Every word of the PWA exists in both languages: the same keys in English and Chinese,
in the main message files and in each area's own."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import unavailable

I18N = Path(__file__).resolve().parents[2] / "pwa" / "src" / "i18n"

# Prints {file: {language: [dotted keys]}} for the message files.
SCRIPT = """
const dir = process.argv[1]
const flat = (words, prefix = '') => Object.entries(words).flatMap(([key, value]) =>
  value && typeof value === 'object' ? flat(value, `${prefix}${key}.`) : [`${prefix}${key}`])
const main = { en: (await import(`${dir}/en.js`)).default,
               'zh-CN': (await import(`${dir}/zh-CN.js`)).default }
const out = { main: Object.fromEntries(Object.entries(main).map(([k, v]) => [k, flat(v)])) }
for (const area of process.argv.slice(2)) {
  const words = (await import(`${dir}/${area}.js`)).default
  out[area] = Object.fromEntries(Object.entries(words).map(([k, v]) => [k, flat(v)]))
}
console.log(JSON.stringify(out))
"""


def _keys() -> dict:
    node = shutil.which("node")
    if node is None:
        unavailable("node is not installed")
    areas = [p.stem for p in I18N.glob("*.js") if p.stem not in ("en", "zh-CN", "index")]
    done = subprocess.run(
        [node, "--input-type=module", "-e", SCRIPT, str(I18N), *sorted(areas)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def keys():
    return _keys()


def test_both_languages_have_the_same_words(keys):
    assert "main" in keys and len(keys) >= 2
    for file, languages in keys.items():
        english, chinese = set(languages["en"]), set(languages["zh-CN"])
        assert english - chinese == set(), f"{file}: missing in zh-CN"
        assert chinese - english == set(), f"{file}: missing in en"
        assert english, f"{file}: no words"
