"""The table of ratios, and the change from a previous run."""

from __future__ import annotations

from typing import Any


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a and b else "-"


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(measurement, value, baseline, ratio) for every figure of a run."""
    out: list[tuple[str, str, str, str]] = []
    p1 = results.get("p1") or []
    if p1:
        base = p1[0]
        for row in p1:
            for key, name in (("inbox", "P1 inbox /"), ("api_tasks", "P1 /api/tasks/")):
                out.append((f"{name} at {row['open_tasks']:,} open tasks",
                            f"{row[key]['ms']} ms, {row[key]['queries']} q",
                            f"{base[key]['ms']} ms, {base[key]['queries']} q "
                            f"({base['open_tasks']:,})",
                            _ratio(row[key]["ms"], base[key]["ms"])))
    boards = results.get("boards") or []
    for row in boards:
        base = boards[0]
        out.append((f"batch board, {row['dossiers']:,} dossiers (page 1)",
                    f"{row['page']['ms']} ms, {row['page']['queries']} q",
                    f"{base['page']['ms']} ms ({base['dossiers']})",
                    _ratio(row["page"]["ms"], base["page"]["ms"])))
    audit = results.get("audit") or []
    for row in audit:
        base = audit[0]
        out.append((f"audit list at {row['events']:,} events",
                    f"{row['list']['ms']} ms, {row['list']['queries']} q",
                    f"{base['list']['ms']} ms ({base['events']:,})",
                    _ratio(row["list"]["ms"], base["list"]["ms"])))
    p2 = results.get("p2")
    if p2:
        out.append(("P2 statements per appraisal step", str(p2["statements_per_step"]), "15",
                    _ratio(p2["statements_per_step"], 15)))
        one = p2["workers"].get("1", {}).get("steps_per_s")
        for workers, row in p2["workers"].items():
            out.append((f"P2 steps/s, {workers} workers", str(row["steps_per_s"]),
                        f"raw {row['raw_per_s']}/s", _ratio(row["steps_per_s"],
                                                            row["raw_per_s"])))
            out.append((f"P2 scaling, {workers} workers / 1", str(row["steps_per_s"]),
                        str(one), _ratio(row["steps_per_s"], one)))
            if row.get("pgbench_N_tps"):
                out.append((f"P2 pgbench -N / -S, {workers} clients",
                            f"{row['pgbench_N_tps']} tps", f"{row['pgbench_S_tps']} tps (-S)",
                            _ratio(row["steps_per_s"], row["pgbench_N_tps"]) + " steps/-N"))
    for row in results.get("p3") or []:
        for kind in ("dry", "real"):
            out.append((f"P3 sweep {kind} at {row['open_tasks']:,} open tasks",
                        f"{row[kind]['ms']} ms, {row[kind]['statements']} st, "
                        f"{row[kind]['peak_mib']} MiB",
                        f"scan {row['scan']['ms']} ms, {row['scan']['peak_mib']} MiB",
                        _ratio(row[kind]["ms"], row["scan"]["ms"])))
    p4 = results.get("p4")
    if p4:
        out.append((f"P4 {p4['users']} users, inbox p95 ({p4['open_tasks']:,} tasks)",
                    f"{p4['inbox']['p95_ms']} ms, {p4['inbox']['errors']} errors",
                    f"login {p4['login']['p95_ms']} ms, {p4['login']['errors']} errors",
                    _ratio(p4["inbox"]["p95_ms"], p4["login"]["p95_ms"])))
    e2e = results.get("end_to_end")
    if e2e:
        out.append(("one dossier, registration to decision",
                    f"{e2e['ms']} ms, {e2e['statements']} st", f"{e2e['audit_events']} events",
                    e2e["status"]))
    return out


def table(results: dict[str, Any]) -> str:
    lines = rows(results)
    widths = [max(len(r[i]) for r in [("measurement", "value", "baseline", "ratio"), *lines])
              for i in range(4)]
    fmt = "  ".join(f"{{:{w}}}" for w in widths)
    return "\n".join([fmt.format("measurement", "value", "baseline", "ratio"),
                      fmt.format(*("-" * w for w in widths)),
                      *(fmt.format(*r) for r in lines)])


def compare(before: dict[str, Any], after: dict[str, Any]) -> str:
    """Each ratio of the previous run beside this run's."""
    old = {r[0]: r for r in rows(before)}
    lines = ["", "change from the previous run (ratio before -> now):"]
    for row in rows(after):
        prior = old.get(row[0])
        lines.append(f"  {row[0]}: {prior[3] if prior else '(new)'} -> {row[3]}")
    return "\n".join(lines)
