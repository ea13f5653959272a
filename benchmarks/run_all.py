"""Run every benchmark script in benchmarks/ in turn (what `make bench` calls).

A benchmark script is a `.py` file of this folder that runs as a program (it has an
`if __name__ == "__main__":` block), this runner excepted; they run in name order, each in its
own process with this interpreter and the project on its path, their output passed through.
The summary at the end gives each script's exit status and time; the runner exits 1 if any
failed.

    .venv/bin/python benchmarks/run_all.py                 # every benchmark
    .venv/bin/python benchmarks/run_all.py bench_batch     # only those named
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def scripts(names: list[str] | None = None) -> list[Path]:
    """The benchmark scripts, name order; only `names` (stems or file names) when given."""
    found = [p for p in sorted(HERE.glob("*.py"))
             if p.name != Path(__file__).name and "__main__" in p.read_text(encoding="utf-8")]
    if names:
        wanted = {Path(n).stem for n in names}
        unknown = wanted - {p.stem for p in found}
        if unknown:
            raise SystemExit(f"no benchmark named {', '.join(sorted(unknown))}; there are "
                             f"{', '.join(p.stem for p in found)}")
        found = [p for p in found if p.stem in wanted]
    return found


def main(argv: list[str] | None = None) -> int:
    """Run the scripts, then print one summary line each."""
    args = sys.argv[1:] if argv is None else argv
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    results = []
    for script in scripts(args):
        print(f"\n=== {script.name} ===", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)], cwd=ROOT, env=env)
        results.append((script.name, code, time.perf_counter() - start))
    print("\n=== summary ===")
    for name, code, seconds in results:
        print(f"  {name:<24} {'ok' if code == 0 else f'FAILED (exit {code})':<16} "
              f"{seconds:7.1f} s")
    return 1 if any(code for _, code, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main())
