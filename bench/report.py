#!/usr/bin/env python3
"""Helpers of scripts/bench (standard library only).

    report.py session-query FILE        print the session lookup query of
                                        fcgi-app/auth/session_store.cpp
    report.py assemble DIR OUT [--check]
                                        read the raw measurements scripts/bench
                                        left in DIR, write OUT (JSON), print
                                        the table; --check: exit 1 when a
                                        scenario is missing or served nothing

Raw layout of DIR: meta.json; scenarios/<id>/{info.json, wrk.out, nginx.log,
db_before.tsv, db_after.tsv}; argon2.json; db_overhead.tsv; scale/... .
Never fails on timing: the targets are reported, not enforced.
"""

import json
import os
import re
import sys

COUNTERS = ["Com_select", "Com_insert", "Com_update", "Com_delete",
            "Com_stmt_execute", "Com_stmt_prepare", "Questions"]


EXPLAINS = ("explain_session_lookup", "explain_purge_absolute", "explain_purge_idle",
            "explain_console_users_deep_page", "explain_console_users_search",
            "explain_console_session_sample", "explain_console_user_sessions",
            "explain_console_user_events")


def read_console(d):
    """The admin console's page times (scripts/bench console_times), by label."""
    out = {}
    cdir = os.path.join(d, "console")
    for label in ("empty", "scale"):
        try:
            lines = [l.rstrip("\n").split("\t")
                     for l in open(os.path.join(cdir, label + ".tsv"), encoding="utf-8") if l.strip()]
        except OSError:
            continue
        if len(lines) > 1:
            out[label] = [dict(zip(lines[0], r)) for r in lines[1:]]
    return out or None


def session_query(path):
    text = open(path, encoding="utf-8").read()
    start = text.find('"SELECT s.user_id')
    if start < 0:
        raise SystemExit("session query not found in " + path)
    end = text.find(");", start)
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', text[start:end]))


def read_json(path, default=None):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def read_tsv(path):
    out = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and parts[1].isdigit():
                    out[parts[0]] = int(parts[1])
    except OSError:
        pass
    return out


def parse_wrk(path):
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("WRKJSON "):
            return json.loads(line[len("WRKJSON "):])
    return None


STATUS_RE = re.compile(r'" (\d{3}) ')


def nginx_statuses(path):
    counts = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = STATUS_RE.search(line)
                if m:
                    counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    except OSError:
        pass
    return counts


def scenario(sdir, overhead, tick_hz, meta_cores):
    info = read_json(os.path.join(sdir, "info.json"), {})
    wrk = parse_wrk(os.path.join(sdir, "wrk.out"))
    s = dict(info)
    s["ok"] = wrk is not None and wrk.get("requests", 0) > 0
    if wrk is None:
        return s
    secs = wrk["duration_us"] / 1e6
    lat = wrk["latency_us"]
    e = wrk["errors"]
    statuses = nginx_statuses(os.path.join(sdir, "nginx.log"))
    expected = str(info.get("expected_status", 200))
    aborted = statuses.get("499", 0)
    unexpected = sum(n for st, n in statuses.items() if st not in (expected, "499"))
    s.update({
        "requests": wrk["requests"],
        "seconds": round(secs, 3),
        "requests_per_s": round(wrk["requests"] / secs, 1) if secs else 0,
        "latency_ms": {k: round(v / 1000.0, 3) for k, v in lat.items()},
        "non_2xx_3xx": e["status"],
        "socket_errors": {k: e[k] for k in ("connect", "read", "write", "timeout")},
        "socket_errors_total": e["connect"] + e["read"] + e["write"] + e["timeout"],
        "statuses": statuses,
        "unexpected_status": unexpected,
        "aborted_at_end_499": aborted,
        "bytes_per_response": round(wrk["bytes"] / wrk["requests"]) if wrk["requests"] else 0,
    })
    before = read_tsv(os.path.join(sdir, "db_before.tsv"))
    after = read_tsv(os.path.join(sdir, "db_after.tsv"))
    served = info.get("pool_requests") or 0
    if before and after:
        delta = {c: after.get(c, 0) - before.get(c, 0) - overhead.get(c, 0) for c in COUNTERS}
        s["db"] = {"delta": delta, "pool_requests": served}
        if served:
            s["db"]["per_request"] = {c: round(delta[c] / served, 4) for c in COUNTERS}
    c0 = read_tsv(os.path.join(sdir, "cpu_before.tsv"))
    c1 = read_tsv(os.path.join(sdir, "cpu_after.tsv"))
    if c0 and c1 and wrk["requests"]:
        us_per_tick = 1e6 / tick_hz
        n = wrk["requests"]
        per = {k: (c1.get(k, 0) - c0.get(k, 0)) * us_per_tick / n for k in c1}
        app = {"1-ceiling": "ceiling", "1b-ceiling-db": "ceiling_db",
               "2n-get-home-1000-sessions-cache-off": "pool_nocache"}.get(s.get("id"), "pool")
        wrk_us = wrk_cpu_seconds(os.path.join(sdir, "wrk_times"))
        wrk_us = wrk_us * 1e6 / n if wrk_us is not None else 0.0
        stack = (per.get("nginx", 0) + per.get(app, 0) + per.get("mariadbd", 0) + wrk_us
                 + per.get("irq", 0))
        s["cpu_us_per_request"] = {
            "nginx": round(per.get("nginx", 0), 1),
            "app": round(per.get(app, 0), 1),
            "mariadbd": round(per.get("mariadbd", 0), 1),
            "wrk": round(wrk_us, 1),
            "irq": round(per.get("irq", 0), 1),
            "measured": round(stack, 1),
            "background": round(per.get("machine", 0) - stack, 1),
            "machine": round(per.get("machine", 0), 1),
        }
        # Time the hypervisor gave to others, in % of the cores' wall time.
        wall = s.get("ended", 0) - s.get("started", 0)
        if wall > 0 and "steal" in c1:
            steal_s = (c1["steal"] - c0.get("steal", 0)) / tick_hz
            s["steal_percent"] = round(100.0 * steal_s / (wall * meta_cores), 1)
    status = read_json(os.path.join(sdir, "status.json"))
    if status:
        caches = [w.get("session_cache") or {} for w in status.get("workers", [])
                  if w.get("state") == "running"]
        s["session_cache"] = {"entries_per_worker": [c.get("entries") for c in caches],
                              "bytes_per_worker": [c.get("bytes") for c in caches],
                              "rss_bytes_per_worker": [w.get("rss_bytes") for w in
                                                       status.get("workers", [])
                                                       if w.get("state") == "running"]}
    rb, ra = info.get("rss_kb_before"), info.get("rss_kb_after")
    if rb and ra:
        s["rss_kb_growth"] = ra - rb
    return s


TIMES_RE = re.compile(r"(\d+)m([\d.]+)s")


def wrk_cpu_seconds(path):
    """wrk's user + system seconds: the children line of bash's `times`
    ("0m0.0s 0m0.0s" for the shell, then "0m1.2s 0m0.3s" for its children)."""
    try:
        lines = open(path, encoding="utf-8").read().strip().splitlines()
    except OSError:
        return None
    found = TIMES_RE.findall(lines[-1]) if lines else []
    if len(found) < 2:
        return None
    return sum(int(m) * 60 + float(sec) for m, sec in found[:2])


def fmt_ratio(x):
    return "-" if x is None else "%.0f%%" % (100 * x)


def assemble(d, out, check):
    meta = read_json(os.path.join(d, "meta.json"), {})
    overhead = read_tsv(os.path.join(d, "db_overhead.tsv"))
    sroot = os.path.join(d, "scenarios")
    scen = {}
    for name in sorted(os.listdir(sroot)) if os.path.isdir(sroot) else []:
        scen[name] = scenario(os.path.join(sroot, name), overhead,
                              meta.get("clock_ticks_per_s", 100), meta.get("nproc", 2))
    ceiling = scen.get("1-ceiling")
    for s in scen.values():
        if ceiling and ceiling.get("requests_per_s") and s.get("requests_per_s") is not None:
            s["ratio_to_ceiling"] = round(s["requests_per_s"] / ceiling["requests_per_s"], 3)
            cp99 = ceiling["latency_ms"]["p99"]
            s["p99_ratio_to_ceiling"] = round(s["latency_ms"]["p99"] / cp99, 2) if cp99 else None
            cc, sc = ceiling.get("cpu_us_per_request"), s.get("cpu_us_per_request")
            if cc and sc and cc["wrk"] and sc["wrk"] and sc["measured"]:
                # With the cores saturated, req/s ~ cores / CPU per request:
                # the ratio without the background's share.
                s["cpu_ratio_to_ceiling"] = round(cc["measured"] / sc["measured"], 3)

    argon = read_json(os.path.join(d, "argon2.json"))
    argon_pool = read_json(os.path.join(d, "argon2_pool_threads.json"))
    argon_mmap = read_json(os.path.join(d, "argon2_mmap.json"))
    login = scen.get("7-post-login")
    if argon and login and login.get("requests_per_s"):
        login["argon2_raw_per_s"] = argon["per_second"]
        login["ratio_to_argon2"] = round(login["requests_per_s"] / argon["per_second"], 3)

    scale = None
    sdir = os.path.join(d, "scale")
    if os.path.isdir(sdir):
        scale = {"seed": read_json(os.path.join(sdir, "seed.json")),
                 "purge": read_json(os.path.join(sdir, "purge.json")),
                 "removed": read_json(os.path.join(sdir, "remove.json"))}
        for name in EXPLAINS:
            p = os.path.join(sdir, name + ".tsv")
            if os.path.exists(p):
                rows = [l.rstrip("\n").split("\t") for l in open(p, encoding="utf-8") if l.strip()]
                scale[name] = [dict(zip(rows[0], r)) for r in rows[1:]] if rows else []
        s2, s2s = scen.get("2-get-home"), scen.get("8-get-home-at-scale")
        if s2 and s2s and s2.get("requests_per_s"):
            scale["ratio_to_empty"] = round(s2s["requests_per_s"] / s2["requests_per_s"], 3)
            c2, c2s = s2.get("cpu_us_per_request"), s2s.get("cpu_us_per_request")
            if c2 and c2s and c2["wrk"] and c2s["wrk"]:
                scale["cpu_ratio_to_empty"] = round(c2["measured"] / c2s["measured"], 3)

    # Scenario 2 against the ceiling that also runs the session query: the
    # worker's own share, the database's taken out.
    cdb, s2 = scen.get("1b-ceiling-db"), scen.get("2-get-home")
    if cdb and s2 and cdb.get("requests_per_s") and s2.get("requests_per_s"):
        s2["ratio_to_ceiling_db"] = round(s2["requests_per_s"] / cdb["requests_per_s"], 3)
        c1, c2 = cdb.get("cpu_us_per_request"), s2.get("cpu_us_per_request")
        if c1 and c2 and c1["wrk"] and c2["wrk"]:
            s2["cpu_ratio_to_ceiling_db"] = round(c1["measured"] / c2["measured"], 3)

    # A static file behind the authorizer (auth_request, one session SELECT
    # per request) against the same file served by nginx alone.
    so, sp = scen.get("9-static-open"), scen.get("10-static-protected")
    if so and sp and so.get("requests_per_s") and sp.get("requests_per_s"):
        sp["ratio_to_unprotected"] = round(sp["requests_per_s"] / so["requests_per_s"], 3)
        c1, c2 = so.get("cpu_us_per_request"), sp.get("cpu_us_per_request")
        if c1 and c2 and c1["wrk"] and c2["wrk"]:
            sp["cpu_ratio_to_unprotected"] = round(c1["measured"] / c2["measured"], 3)

    console = read_console(d)
    targets = evaluate(scen, scale, console)
    result = {"meta": meta, "argon2": argon, "argon2_pool_threads": argon_pool,
              "argon2_mmap_threshold": argon_mmap,
              "scenarios": scen, "scale": scale, "console": console,
              "targets": targets}
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2, sort_keys=False)
        f.write("\n")
    os.replace(tmp, out)
    print_table(result)

    if check:
        problems = []
        wanted = meta.get("scenarios_run", [])
        for name in wanted:
            if name not in scen or not scen[name].get("ok"):
                problems.append(name)
        if not wanted:
            problems.append("no scenarios recorded")
        if problems:
            print("check: FAILED: no result for " + ", ".join(problems), file=sys.stderr)
            return 1
        print("check: ok (%d scenarios in %s)" % (len(wanted), out), file=sys.stderr)
    return 0


def evaluate(scen, scale, console=None):
    t = []

    def add(name, met, value, cpu_value=None):
        t.append({"target": name, "met": met, "value": value})
        if cpu_value is not None:
            t[-1]["cpu_estimate"] = cpu_value

    s2 = scen.get("2-get-home")
    if s2 and s2.get("ok") and "ratio_to_ceiling" in s2:
        add("scenario 2 >= 60% of ceiling req/s", s2["ratio_to_ceiling"] >= 0.6,
            s2["ratio_to_ceiling"], s2.get("cpu_ratio_to_ceiling"))
        p = s2.get("p99_ratio_to_ceiling")
        add("scenario 2 p99 <= 3x ceiling p99", p is not None and p <= 3.0, p)
        errs = s2["socket_errors_total"] + s2["unexpected_status"]
        add("scenario 2 zero errors", errs == 0, errs)
    for key, label in (("4-get-admin-as-user", "scenario 4"), ("5-get-home-anonymous", "scenario 5")):
        s = scen.get(key)
        if s and s.get("ok") and "ratio_to_ceiling" in s:
            add(label + " >= 70% of ceiling req/s", s["ratio_to_ceiling"] >= 0.7,
                s["ratio_to_ceiling"], s.get("cpu_ratio_to_ceiling"))
    s7 = scen.get("7-post-login")
    if s7 and "ratio_to_argon2" in s7:
        add("scenario 7 within 20% of raw argon2id rate", s7["ratio_to_argon2"] >= 0.8,
            s7["ratio_to_argon2"])
    if s2 and s2.get("db", {}).get("per_request"):
        pr = s2["db"]["per_request"]
        sel = pr["Com_select"]
        writes = pr["Com_insert"] + pr["Com_update"] + pr["Com_delete"]
        # One cookie: a cache hit after the first request (the feed's reads,
        # 10 a second per worker, are all that is left).
        add("scenario 2: < 0.01 SELECT per request (session cache)", sel < 0.01, sel)
        add("scenario 2: zero writes per request", writes < 0.01, round(writes, 4))
    # Issue 17: 1,000 distinct sessions, cache on and off.
    sm, sn = scen.get("2m-get-home-1000-sessions"), scen.get("2n-get-home-1000-sessions-cache-off")
    if sm and sm.get("ok") and "ratio_to_ceiling" in sm:
        add("2m (1,000 sessions, cache on) >= 85% of ceiling req/s", sm["ratio_to_ceiling"] >= 0.85,
            sm["ratio_to_ceiling"], sm.get("cpu_ratio_to_ceiling"))
        pr = sm.get("db", {}).get("per_request")
        if pr:
            add("2m: queries per request < 0.01 (0 per cache hit; feed reads only)",
                pr["Com_stmt_execute"] + pr["Com_select"] < 0.01,
                round(pr["Com_stmt_execute"], 4))
    if sn and sn.get("ok") and "ratio_to_ceiling" in sn:
        # The cache off is the pool before issue 17: 48% of the ceiling then.
        add("2n (1,000 sessions, cache off) no regression: >= 43% of ceiling req/s",
            sn["ratio_to_ceiling"] >= 0.43, sn["ratio_to_ceiling"], sn.get("cpu_ratio_to_ceiling"))
    sr = scen.get("2r-get-home-100k-sessions")
    if sr and sr.get("session_cache"):
        sc = sr["session_cache"]
        rss = max(sc["rss_bytes_per_worker"] or [0]) / 1048576.0
        add("2r: worker RSS with 100,000 sessions cached <= 128 MB",
            rss <= 128, "%.1f MB RSS, entries %s" % (rss, sc["entries_per_worker"]))
    if s2 and "rss_kb_growth" in s2:
        mb = s2["rss_kb_growth"] / 1024.0
        add("pool RSS growth < 5 MB over the scenario 2 run (%ss)" % round(s2["seconds"]),
            mb < 5.0, round(mb, 2))
    s3 = scen.get("3-get-admin-as-admin")
    if s3 and s3.get("ok") and "ratio_to_ceiling" in s3:
        add("scenario 3 (GET /admin as Admin) >= 50% of ceiling req/s",
            s3["ratio_to_ceiling"] >= 0.5, s3["ratio_to_ceiling"], s3.get("cpu_ratio_to_ceiling"))
    if console and console.get("scale"):
        rows = console["scale"]
        slow = [r["page"] for r in rows if float(r["p50_ms"]) > 50 or r["status"] != "200"]
        add("scale: every console page <= 50 ms median (and 200)", not slow,
            ", ".join("%s %s" % (r["page"], r["p50_ms"]) for r in rows))
    if scale and "ratio_to_empty" in scale:
        add("scale: scenario 2 within 10% of empty", scale["ratio_to_empty"] >= 0.9,
            scale["ratio_to_empty"], scale.get("cpu_ratio_to_empty"))
    if scale and scale.get("purge"):
        pg = scale["purge"]
        add("scale: purge while logins keep working",
            pg.get("ok", False) and pg.get("logins_failed", 1) == 0 and pg.get("logins_ok", 0) > 0,
            "%s rows in %ss, logins ok %s / failed %s" % (pg.get("removed_sessions"),
                                                         pg.get("seconds"), pg.get("logins_ok"),
                                                         pg.get("logins_failed")))
    return t


def print_table(r):
    meta = r["meta"]
    print()
    print("mfo benchmark  %s  (%s; %s connections, wrk %s threads; pool %s workers x %s threads)"
          % (meta.get("date", ""), meta.get("mode", ""), meta.get("connections"),
             meta.get("wrk_threads"), meta.get("pool_workers"), meta.get("pool_threads")))
    head = ("scenario", "req/s", "p50 ms", "p99 ms", "non-2xx/3xx", "unexpected",
            "sock err", "vs ceiling", "p99 vs ceil", "CPU vs ceil", "RSS +MB")
    rows = []
    for name, s in r["scenarios"].items():
        if not s.get("ok"):
            rows.append((name, "FAILED", "", "", "", "", "", "", "", "", ""))
            continue
        rows.append((name, "%.0f" % s["requests_per_s"], "%.2f" % s["latency_ms"]["p50"],
                     "%.2f" % s["latency_ms"]["p99"], str(s["non_2xx_3xx"]),
                     str(s["unexpected_status"]), str(s["socket_errors_total"]),
                     fmt_ratio(s.get("ratio_to_ceiling")),
                     "-" if s.get("p99_ratio_to_ceiling") is None
                     else "%.2fx" % s["p99_ratio_to_ceiling"],
                     fmt_ratio(s.get("cpu_ratio_to_ceiling")),
                     "-" if "rss_kb_growth" not in s else "%+.1f" % (s["rss_kb_growth"] / 1024)))
    widths = [max(len(str(x[i])) for x in [head] + rows) for i in range(len(head))]
    line = lambda cells: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    print(line(head))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))
    print()
    print("CPU per request, microseconds (app = the pool, or the ceiling responder; irq ="
          " interrupts, where loopback traffic is processed; background = whatever else ran;"
          " steal = the hypervisor's share of the cores' time):")
    chead = ("scenario", "nginx", "app", "mariadbd", "wrk", "irq", "measured", "background",
             "steal %")
    crow = [(n, *("%.0f" % s["cpu_us_per_request"][k] for k in chead[1:-1]),
             "%.1f" % s.get("steal_percent", 0))
            for n, s in r["scenarios"].items() if s.get("cpu_us_per_request")]
    cw = [max(len(str(x[i])) for x in [chead] + crow) for i in range(len(chead))]
    cl = lambda cells: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                                 for i, (c, w) in enumerate(zip(cells, cw)))
    print(cl(chead))
    for row in crow:
        print(cl(row))
    print()
    s7 = r["scenarios"].get("7-post-login")
    if r.get("argon2"):
        a = r["argon2"]
        print("argon2id raw: %.1f hashes/s (%d threads, m=%d KiB, t=%d, p=%d)"
              % (a["per_second"], a["threads"], a["memory_kib"], a["iterations"],
                 a["parallelism"]), end="")
        ap = r.get("argon2_pool_threads")
        if ap:
            print("; with %d threads: %.1f/s" % (ap["threads"], ap["per_second"]), end="")
        am = r.get("argon2_mmap_threshold")
        if am:
            print("; memory returned after each hash: %.1f/s" % am["per_second"], end="")
        if s7 and "ratio_to_argon2" in s7:
            print("; POST /login: %.1f logins/s = %s of raw" % (s7["requests_per_s"],
                                                            fmt_ratio(s7["ratio_to_argon2"])))
        else:
            print()
    sp = r["scenarios"].get("10-static-protected")
    if sp and "ratio_to_unprotected" in sp:
        print("static file behind the authorizer: %s of the unprotected file's req/s (CPU: %s)"
              % (fmt_ratio(sp["ratio_to_unprotected"]), fmt_ratio(sp.get("cpu_ratio_to_unprotected"))),
              end="")
        pr = sp.get("db", {}).get("per_request")
        if pr:
            print("; per check: Com_select %.4f, Com_insert %.4f, Com_update %.4f, Com_delete %.4f"
                  % (pr["Com_select"], pr["Com_insert"], pr["Com_update"], pr["Com_delete"]))
        else:
            print()
    sr = r["scenarios"].get("2r-get-home-100k-sessions")
    if sr and sr.get("session_cache"):
        sc = sr["session_cache"]
        print("session cache after 2r: entries per worker %s, accounted bytes %s, worker RSS %s MB"
              % (sc["entries_per_worker"], sc["bytes_per_worker"],
                 [round((b or 0) / 1048576.0, 1) for b in sc["rss_bytes_per_worker"]]))
    for key in ("2m-get-home-1000-sessions", "2n-get-home-1000-sessions-cache-off"):
        s = r["scenarios"].get(key)
        if s and s.get("db", {}).get("per_request"):
            pr = s["db"]["per_request"]
            print("%s per request: Com_select %.4f, Com_stmt_execute %.4f, Com_update %.4f"
                  % (key, pr["Com_select"], pr["Com_stmt_execute"], pr["Com_update"]))
    s2 = r["scenarios"].get("2-get-home")
    if s2 and "ratio_to_ceiling_db" in s2:
        print("scenario 2 against the ceiling with the same session query: %s of its req/s (CPU: %s)"
              % (fmt_ratio(s2["ratio_to_ceiling_db"]), fmt_ratio(s2.get("cpu_ratio_to_ceiling_db"))))
    if s2 and s2.get("db", {}).get("per_request"):
        pr = s2["db"]["per_request"]
        print("scenario 2 per request (%d served): Com_select %.4f, Com_insert %.4f, "
              "Com_update %.4f, Com_delete %.4f, Com_stmt_execute %.4f, Com_stmt_prepare %.4f"
              % (s2["db"]["pool_requests"], pr["Com_select"], pr["Com_insert"],
                 pr["Com_update"], pr["Com_delete"], pr["Com_stmt_execute"],
                 pr["Com_stmt_prepare"]))
    if s2 and "rss_kb_before" in s2:
        print("pool RSS (supervisor + workers): %.1f MB before scenario 2, %.1f MB after "
              "(%+.2f MB over %.0f s); whole run %.1f -> %.1f MB"
              % (s2["rss_kb_before"] / 1024, s2["rss_kb_after"] / 1024,
                 s2["rss_kb_growth"] / 1024, s2["seconds"],
                 (meta.get("rss_kb_start") or 0) / 1024, (meta.get("rss_kb_end") or 0) / 1024))
    sc = r.get("scale")
    if sc:
        seed = sc.get("seed") or {}
        print("scale: %s users, %s sessions (%s live) seeded in %ss; scenario 2 at scale = %s "
              "of empty (CPU per request: %s)"
              % (seed.get("users"), seed.get("sessions"), seed.get("live_sessions"),
                 seed.get("seconds"), fmt_ratio(sc.get("ratio_to_empty")),
                 fmt_ratio(sc.get("cpu_ratio_to_empty"))))
        for name in EXPLAINS:
            if sc.get(name):
                print("  %s:" % name)
                for row in sc[name]:
                    print("    table=%s type=%s key=%s rows=%s extra=%s"
                          % (row.get("table"), row.get("type"), row.get("key"),
                             row.get("rows"), row.get("Extra")))
        con = r.get("console") or {}
        if con:
            empty = {row["page"]: row for row in con.get("empty", [])}
            print("  admin console, one request at a time through nginx (ms, median / max of %s):"
                  % (con.get("scale") or con.get("empty"))[0].get("n"))
            for row in con.get("scale", []):
                e = empty.get(row["page"], {})
                print("    %-10s empty %6s / %-7s scale %6s / %-7s %s"
                      % (row["page"], e.get("p50_ms"), e.get("max_ms"), row["p50_ms"],
                         row["max_ms"], row["path"]))
        pg = sc.get("purge") or {}
        if pg:
            print("  purge-sessions: %s rows in %ss; meanwhile %s logins ok, %s failed "
                  "(login p50 %s ms, max %s ms), %s page views ok, %s failed (max %s ms)"
                  % (pg.get("removed_sessions"), pg.get("seconds"), pg.get("logins_ok"),
                     pg.get("logins_failed"), pg.get("login_ms_p50"), pg.get("login_ms_max"),
                     pg.get("pages_ok"), pg.get("pages_failed"), pg.get("page_ms_max")))
    print()
    print("targets (reported, never enforced):")
    for t in r["targets"]:
        extra = ""
        if t.get("cpu_estimate") is not None:
            extra = " (from CPU per request, background excluded: %s)" % t["cpu_estimate"]
        print("  [%s] %s: %s%s" % ("met" if t["met"] else "MISSED", t["target"], t["value"], extra))
    print()


def main(argv):
    if len(argv) >= 2 and argv[1] == "session-query":
        print(session_query(argv[2]))
        return 0
    if len(argv) >= 4 and argv[1] == "assemble":
        return assemble(argv[2], argv[3], "--check" in argv[4:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
