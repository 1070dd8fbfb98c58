#!/usr/bin/python3
"""Writes docs/conformance.md from the reports of scripts/conformance.sh.

    /usr/bin/python3 docs/make_conformance.py --dir build/conformance --out docs/conformance.md

Reads, from --dir: meta.json (command, date, machine, versions, seed, budget),
<lib>.json and <lib>.numpynet.json (`poolcheck run` reports under the library's
own profile and, with --compare, under numpynet), probe_<lib>.json and
probe_reference_<profile>.json (`poolcheck probe`), and repro_<name>.txt (the
output of the stand-alone reproducers in docs/repro/). Everything in the page
comes from those files, apart from the triage below: which nonconformance is a
library bug, which an unspecified behaviour, which a convention difference.
"""
import argparse
import json
import pathlib

# Libraries, in page order: report label, title, the profile documenting it.
LIBRARIES = [
    ("poolcheck_adapter_onednn", "oneDNN", "onednn"),
    ("poolcheck_adapter_xnnpack", "XNNPACK", "xnnpack"),
    ("poolcheck_adapter_libtorch", "libtorch", "pytorch"),
]
PROFILES = ["numpynet", "pytorch", "onednn", "xnnpack"]

# Triage of nonconformances under a library's own profile, by (label, check
# name prefix). A failure not listed here is printed as "not triaged".
TRIAGE = {
    ("poolcheck_adapter_libtorch", "regression.padding_window_dilation"):
        "**known library bug (PyTorch #114216), in behaviour the `pytorch` profile leaves "
        "unspecified.** A window that lies entirely in padding (dilation) gets value -inf, "
        "which is accepted, but its index names no input cell (one past the plane); "
        "PyTorch's own backward then writes outside the plane. The adapter checks indices "
        "before calling the backward, so the campaign reports it instead of crashing. Also "
        "in the probe `all_padding_window` below.",
}

# Stand-alone reproducers of library bugs (docs/repro/), with what they show.
REPROS = [
    ("libtorch_max_pool3d_channels_last_out", "libtorch",
     "`max_pool3d_with_indices.out` given `channels_last_3d` `out=` tensors keeps their "
     "strides but fills their memory in contiguous (NCDHW) order: values and indices are "
     "permuted. The 2-D kernel and the functional 3-D form are right. **Library bug.** The "
     "adapter works around it (the 3-D forward computes into PyTorch's own tensors and copies "
     "them over, which respects strides), so the campaign below tests the rest of the "
     "library."),
    ("libtorch_max_pool3d_channels_last_backward", "libtorch",
     "`max_pool3d_with_indices_backward` on `channels_last_3d` tensors routes the gradient to "
     "the wrong cells (a 1x1x1 pooling's gradient is not dy). The same call on NCDHW tensors "
     "is right. **Library bug.** The adapter refuses 3-D channels-last backward "
     "(`PC_UNSUPPORTED`), so those cases show as refused in the campaign."),
]

PROBE_NOTES = {
    "nan_first": "NaN handling",
    "nan_inside": "NaN handling",
    "all_nan": "NaN handling",
    "neg_inf_padded": "padding contents",
    "signed_zeros": "ties (±0)",
    "tie_row": "ties",
    "tie_diagonal": "ties, scan order and index format",
    "kernel_over_input_padded": "kernel larger than the input",
    "kernel_over_input": "kernel larger than the input",
    "ceil_32_k1_s2": "ceil-mode output size",
    "all_padding_window": "all-padding window",
}


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def code(text):
    return "`" + str(text).replace("`", "'") + "`"


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def block(text):
    return "```\n" + text.rstrip("\n") + "\n```\n"


def shown(outcome, with_argmax=True):
    """y / argmax of a probe outcome, compact."""
    if outcome.get("status") != "ok":
        return outcome.get("status", "?")
    y = outcome["y"]
    if len(y) > 4 and len(set(y)) == 1:
        values = f"{len(y)} × {y[0]}"
    else:
        values = ", ".join(y)
    text = values
    if with_argmax and "argmax" in outcome:
        a = outcome["argmax"]
        if len(a) <= 4:
            idx = ", ".join(map(str, a))
        else:
            idx = f"{len(a)} × {a[0]}" if len(set(a)) == 1 else f"{a[0]}, {a[1]}, …, {a[-1]}"
        text += " / " + idx
    return text


def probe_cell(probe, actual=True):
    if not probe.get("posed"):
        return "not posable"
    out = probe["actual" if actual else "reference"]
    text = shown(out)
    if actual and out.get("status") == "ok":
        same = probe.get("same_y", True) and probe.get("same_argmax", True)
        text = text if same else "**" + text + "** ≠ ref"
    return text


def checks_table(report, comparison=False):
    lines = ["| check | status | cases | refused | note |", "|---|---|---|---|---|"]
    for c in report["checks"]:
        lines.append(
            f"| {code(c['name'])} | {c['status']} | {c['cases']} | {c['refused']} | "
            f"{cell(c['note'])} |")
    return "\n".join(lines) + "\n"


def failure_text(f, label, check):
    triage = next((v for (lab, prefix), v in TRIAGE.items()
                   if lab == label and check.startswith(prefix)), None)
    out = [f"- **{code(check)}** — {triage or 'not triaged: a nonconformance to run down'}",
           f"  - descriptor: {code(f['descriptor'])}",
           f"  - {cell(f['what'])}" + (f" at {cell(f['element'])}" if f['element'] else "") +
           f": expected {code(f['expected'])}, actual {code(f['actual'])}", ""]
    return "\n".join(out) + "\n" + block(f["details"]) + "\n"


def summary_row(title, report):
    return (f"| {title} | {report['profile']} | {report['passed']} | {report['failed']} | "
            f"{report['skipped']} | {report['duration_seconds']:.0f} s |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, type=pathlib.Path)
    parser.add_argument("--out", required=True, type=pathlib.Path)
    args = parser.parse_args()
    d = args.dir
    meta = load(d / "meta.json")
    present = [lib for lib in LIBRARIES if (d / f"{lib[0]}.json").exists()]
    md = []
    w = md.append
    w("# Peer libraries through the oracle\n")
    w("Generated by " + code(meta["command"]) + " (which runs "
      "`docs/make_conformance.py`); do not edit by hand, rerun it.\n")
    w(f"- date: {meta['date']}")
    w(f"- machine: {meta['machine']}")
    w(f"- poolcheck: {meta['poolcheck']}")
    w(f"- campaign: seed {meta['seed']}, {meta['cases']} cases per random check, "
      f"time budget {meta['budget']} s per campaign")
    for name, version in meta["versions"].items():
        w(f"- {name}: {version}")
    w("")
    w("Each library runs as a plug-in (`adapters/`) through `poolcheck run`, first under the "
      "profile that documents it, then with `--profile numpynet --compare`. Under its own "
      "profile a FAIL is a nonconformance: a library bug, or a behaviour the profile should "
      "have left unspecified. Under numpynet each problem is re-posed under the library's "
      "profile with the same geometry and its argmax is translated into numpynet's format, so a "
      "DIFF is a **convention difference** between the two profiles, never a bug.\n")

    w("## Summary\n")
    w("| library | profile | passed | failed / differ | skipped | time |")
    w("|---|---|---|---|---|---|")
    for label, title, _ in present:
        w(summary_row(title, load(d / f"{label}.json")))
        comparison = d / f"{label}.numpynet.json"
        if comparison.exists():
            w(summary_row(title + " (comparison)", load(comparison)))
    w("")

    w("## Library bugs found\n")
    w("Each has a reproducer that runs without poolcheck, in `docs/repro/`. Its output on this "
      "machine:\n")
    for name, library, text in REPROS:
        w(f"### {library}: {name.replace('_', ' ')}\n")
        w(text + "\n")
        w(f"`/usr/bin/python3 docs/repro/{name}.py`:\n")
        out = d / f"repro_{name}.txt"
        w(block(out.read_text(encoding="utf-8") if out.exists() else "(not run: no torch)"))

    w("## Side by side: what each system returns\n")
    w("A fixed set of probe problems (`poolcheck probe`, `conformance/probes/`), f32, one batch "
      "and one channel. A cell is `y / argmax` in the profile's index format (window-local "
      "row-major for numpynet and oneDNN, per-plane `h*W+w` for PyTorch, window-local "
      "column-major `px*KH+py` for XNNPACK). A library's cell is **bold** with ≠ ref where it "
      "differs from the reference of its own profile; \"not posable\" means the profile rejects "
      "the parameters (poolcheck never calls a library outside them), \"refused\" means the "
      "library did (`PC_UNSUPPORTED`).\n")
    refs = {p: load(d / f"probe_reference_{p}.json") for p in PROFILES
            if (d / f"probe_reference_{p}.json").exists()}
    libs = {label: load(d / f"probe_{label}.json") for label, _, _ in present
            if (d / f"probe_{label}.json").exists()}
    columns = []
    for p in refs:
        columns.append((f"{p} (reference)", refs[p], False))
        for label, title, profile in present:
            if profile == p and label in libs:
                columns.append((title, libs[label], True))
    w("| probe | shows | x | " + " | ".join(c[0] for c in columns) + " |")
    w("|---|---|---|" + "---|" * len(columns))
    names = [p["name"] for p in next(iter(refs.values()))["probes"]] if refs else []
    for i, name in enumerate(names):
        first = next(iter(refs.values()))["probes"][i]
        row = [code(name), cell(PROBE_NOTES.get(name, first["description"])),
               cell(", ".join(first["x"]) if len(first["x"]) <= 4 else
                    f"{len(first['x'])} values")]
        for _, data, actual in columns:
            row.append(cell(probe_cell(data["probes"][i], actual)))
        w("| " + " | ".join(row) + " |")
    w("")
    w("What each probe poses:\n")
    for i, name in enumerate(names):
        probe = next(iter(refs.values()))["probes"][i]
        posed = next((r["probes"][i] for r in refs.values() if r["probes"][i].get("posed")), None)
        desc = code(posed["descriptor"]) if posed else "rejected by every profile: " + cell(
            probe.get("message", ""))
        w(f"- {code(name)}: {probe['description']}; {desc}")
    w("")

    for label, title, profile in present:
        report = load(d / f"{label}.json")
        w(f"## {title} ({report['claim']['name']}) under `{profile}`\n")
        claim = report["claim"]
        w(f"Claim: dtypes {', '.join(claim['dtypes'])}; layouts {', '.join(claim['layouts'])}; "
          f"ranks {', '.join(map(str, claim['ranks']))}; argmax {claim['argmax']}; backward "
          f"{claim['backward']}; backward from x {claim['backward_from_x']}.\n")
        if report["unspecified"]:
            w("What the profile leaves open (checked only where specified):\n")
            for line in report["unspecified"]:
                w(f"- {line}")
            w("")
        w(checks_table(report))
        failing = [c for c in report["checks"] if c["failures"]]
        if failing:
            w("Nonconformances, each with its minimal counterexample:\n")
            for c in failing:
                for f in c["failures"]:
                    w(failure_text(f, label, c["name"]))
        else:
            w("No nonconformance: every check that ran holds.\n")
        comparison = d / f"{label}.numpynet.json"
        if comparison.exists():
            cr = load(comparison)
            w(f"### {title} compared with `numpynet`\n")
            w(f"Convention differences between `{profile}` and `numpynet` (DIFF), first "
              "counterexample of each:\n")
            w(checks_table(cr, True))
            for c in cr["checks"]:
                if c["failures"]:
                    f = c["failures"][0]
                    w(f"- {code(c['name'])}: {code(f['descriptor'])}: {cell(f['what'])}"
                      + (f" at {cell(f['element'])}" if f["element"] else "")
                      + f": numpynet {code(f['expected'])}, {title} {code(f['actual'])}")
            w("")
    args.out.write_text("\n".join(md).rstrip("\n") + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
