"""A graph of many papers, timed: a corpus of any size resampled from real abstracts, then its
build, its peak memory and size on disk, ``kg add`` of new papers, and the named queries.

    python benchmarks/scale.py make --n 100000 --out /tmp/scale-100k.jsonl [--seed 13]
    python benchmarks/scale.py run --n 10000 --work /tmp/scale-10k [--new 1000]

``make`` writes N abstracts in the records' JSON Lines format (the fields of the source). Each
takes a real abstract's first sentence and its number of sentences, and fills the rest with
sentences drawn from the abstracts of the same venue and year; its title joins the head of
one title from that venue and year ("Prototypical Networks for", "BERT: ") to the tail of
another. Ids and titles are distinct from each other and from the source's. The records are
a stream fixed by the seed: the records N to N+K-1 of one stream (``--start N``) are new to
its first N.

``run`` writes such a corpus of N papers and one of ``--new`` further papers from the same
stream into the folder ``--work`` (never inside the project), then measures, in this order:
a spaCy tokenizer-only pass over the corpus's texts (median of ``--repeats``); ``kg build``
in a subprocess (wall time, peak memory of its process tree); the store on disk; every query
of ``ontology/queries`` on the store in this process (median of ``--repeats``), and, up to
``--rdflib-up-to`` papers, with rdflib's in-memory engine over the same graph exported (each
run stopped after ``--cap`` seconds); ``kg add`` of the new papers in a subprocess; and
extracting those papers alone in this process with the same extractor and processes (median
of ``--repeats``). It writes ``scale-N.json`` into the work folder after every stage (so a
run stopped on the way keeps what it measured) and, at the end, ``scale-N.md`` (a table for
the benchmarks' README).

Memory of a subprocess is sampled from /proc every quarter second (Linux): the peak of the
summed proportional set size (PSS: pages shared by the extraction workers counted once) and
of the summed resident size of the process and all its descendants, and the largest of their
own peak resident sizes (``VmHWM``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.query.named import NamedQuery, named_queries

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "corpora" / "ml_nlp_abstracts.jsonl"
QUERIES = ROOT / "ontology" / "queries"

#: What each bindable variable of the named queries takes: the label of the entity of this
#: class named by most papers.
BINDING_CLASSES = {"dataset": "Dataset", "task": "Task", "entity": "Method"}

# A title's head ends at its first colon or at its first joining word: "Prototypical
# Networks for" | "Few-shot Learning"; "BERT:" | "Pre-training of ...".
_TITLE_JOIN = re.compile(
    r":\s+|\s(?:for|with|via|using|through|in|on|from|towards?|without|beyond)\s", re.IGNORECASE
)
_WORD = re.compile(r"[^\W_]+")


# --------------------------------------------------------------------------------------------
# The corpus


@dataclass(slots=True)
class Source:
    """A real abstract cut into what resampling draws from."""

    record: dict[str, Any]
    sentences: list[str]
    head: str | None  # the title up to and with its first colon or joining word
    tail: str | None  # the rest of the title

    @property
    def group(self) -> tuple[object, object]:
        return self.record.get("venue"), self.record.get("year")


# A sentence ends at ".", "!" or "?" (closing quotes and brackets kept) before a space and a
# capital letter or digit, unless the word before the stop is a common abbreviation.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[A-Z0-9])")
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "etc.", "vs.", "cf.", "Fig.", "Eq.", "Sec.", "resp.")


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, by a simple rule (spaCy's sentencizer, which the extraction
    pipeline uses, takes seconds per thousand abstracts on a busy machine).

    >>> split_sentences("We use BERT, e.g. for QA. It works (see Fig. 2). Results: 3.5% gain.")
    ['We use BERT, e.g. for QA.', 'It works (see Fig. 2).', 'Results: 3.5% gain.']
    """
    sentences, start = [], 0
    for end in _SENTENCE_END.finditer(text):
        if text[start : end.start()].endswith(_ABBREVIATIONS):
            continue
        sentences.append(text[start : end.start()].strip())
        start = end.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def read_sources(path: Path) -> list[Source]:
    """The records of a JSON Lines file with a title and an abstract, cut into sentences."""
    records = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                if record.get("title") and record.get("abstract"):
                    records.append(record)
    sources = []
    for record in records:
        sentences = split_sentences(record["abstract"])
        if not sentences:
            continue
        cut = _TITLE_JOIN.search(record["title"])
        head = record["title"][: cut.end()] if cut else None
        tail = record["title"][cut.end() :].strip() if cut else None
        sources.append(Source(record, sentences, head, tail or None))
    return sources


def resample(
    sources: Sequence[Source],
    n: int,
    *,
    seed: int = 13,
    start: int = 0,
    prefix: str = "scale",
    origin: str = "source",
) -> Iterator[dict[str, Any]]:
    """Records ``start`` to ``start + n - 1`` of the stream of abstracts resampled from
    ``sources`` with ``seed``. Ids are ``{prefix}:{index}``; titles are distinct from each
    other and from the sources' (as ``kg`` compares titles: case, spacing and punctuation
    aside)."""
    if not sources:
        raise ValueError("no abstracts to resample from")
    rng = random.Random(seed)
    groups: dict[tuple[object, object], list[Source]] = {}
    for source in sources:
        groups.setdefault(source.group, []).append(source)
    # Sentences other than first ones, by venue and year: a first sentence opens an abstract.
    pools = {
        group: [s for source in members for s in source.sentences[1:]]
        for group, members in groups.items()
    }
    everything = [s for pool in pools.values() for s in pool] or [s.sentences[0] for s in sources]
    heads = {g: [s.head for s in m if s.head] for g, m in groups.items()}
    tails = {g: [s.tail for s in m if s.tail] for g, m in groups.items()}
    all_heads = [s.head for s in sources if s.head]
    all_tails = [s.tail for s in sources if s.tail]
    taken = {normalise_title(s.record["title"]) for s in sources}

    def title_for(source: Source) -> str:
        choices = [(heads[source.group], tails[source.group])] * 20 + [(all_heads, all_tails)] * 20
        for head_pool, tail_pool in choices:
            if head_pool and tail_pool:
                title = rng.choice(head_pool) + rng.choice(tail_pool)
                if normalise_title(title) not in taken:
                    return title
        number = 2
        while normalise_title(f"{source.record['title']} {number}") in taken:
            number += 1
        return f"{source.record['title']} {number}"

    for index in range(start + n):
        source = rng.choice(sources)
        pool = pools[source.group] if len(pools[source.group]) >= 50 else everything
        count = min(len(source.sentences) - 1, len(pool))
        abstract = " ".join([source.sentences[0], *rng.sample(pool, count)])
        title = title_for(source)
        taken.add(normalise_title(title))
        if index < start:
            continue
        record = dict(source.record)
        record.update(
            id=f"{prefix}:{index}",
            source_id=str(index),
            title=title,
            abstract=abstract,
            url=f"https://example.org/paperkg/{prefix}/{index}",
            source=f"resampled from {origin} record {source.record.get('id')}, seed {seed}",
        )
        yield record


def write_records(records: Iterator[dict[str, Any]], out: Path) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with out.open("w", encoding="utf-8") as lines:
        for record in records:
            lines.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def make(source: Path, n: int, out: Path, *, seed: int = 13, start: int = 0) -> int:
    """Write records ``start`` to ``start + n - 1`` of the stream resampled from ``source``."""
    sources = read_sources(source)
    return write_records(resample(sources, n, seed=seed, start=start, origin=source.name), out)


def normalise_title(title: str) -> str:
    """What ``kg.ingest.identity.normalise_title`` gives (titles equal but for case, spacing
    and punctuation are one paper), four times as fast.

    >>> normalise_title("BERT: Pre-Training  of Deep   Transformers!")
    'bert pre training of deep transformers'
    """
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", title).lower()))


# --------------------------------------------------------------------------------------------
# Measuring


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as stat:
                # The command name may hold spaces and brackets; the fields after it do not.
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _tree_memory(pid: int) -> tuple[int, int, int]:
    """Summed PSS and RSS, in bytes, of ``pid`` and its descendants, and the largest of their
    peak resident sizes so far (``VmHWM``: each process's own, not inherited across exec as
    ``ru_maxrss`` is, which would count the memory of whatever started it)."""
    tree = _children()
    todo, pss, rss, largest = [pid], 0, 0, 0
    while todo:
        current = todo.pop()
        todo.extend(tree.get(current, []))
        try:
            with open(f"/proc/{current}/smaps_rollup", encoding="ascii") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
            with open(f"/proc/{current}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        largest = max(largest, int(line.split()[1]) * 1024)
        except OSError:
            continue
    return pss, rss, largest


@dataclass
class Command:
    """What a subprocess took: wall time, memory and what it printed."""

    args: list[str]
    seconds: float = 0.0
    returncode: int = 0
    peak_tree_pss: int = 0
    peak_tree_rss: int = 0
    peak_largest_rss: int = 0
    samples: int = 0
    stdout: list[str] = field(default_factory=list)


def run_command(args: list[str], log: Path, *, interval: float = 0.25) -> Command:
    """Run ``args`` to its end, sampling the memory of its process tree."""
    result = Command(args)
    with log.open("w", encoding="utf-8") as err:
        started = time.perf_counter()
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, text=True)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(interval):
                pss, rss, largest = _tree_memory(process.pid)
                result.peak_tree_pss = max(result.peak_tree_pss, pss)
                result.peak_tree_rss = max(result.peak_tree_rss, rss)
                result.peak_largest_rss = max(result.peak_largest_rss, largest)
                result.samples += 1

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        assert process.stdout is not None
        output = process.stdout.read()
        _, status, _ = os.wait4(process.pid, 0)
        result.seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        process.returncode = result.returncode = os.waitstatus_to_exitcode(status)
        process.stdout.close()
    result.stdout = output.splitlines()
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} failed ({result.returncode}); see {log}:\n{log.read_text()[-2000:]}"
        )
    return result


def kg_command(*args: str) -> list[str]:
    """The package's command line, run by this interpreter."""
    return [sys.executable, "-m", "kg.cli", *args]


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def disk_usage(path: Path) -> int:
    """Bytes the files under ``path`` take on disk (symbolic links not followed)."""
    total = 0
    for folder, _, names in os.walk(path):
        for name in names:
            stat = os.lstat(os.path.join(folder, name))
            total += stat.st_blocks * 512
    return total


def default_bindings(store: Any) -> dict[str, str]:
    """For each bindable variable, the label of the entity of its class named by most
    papers (variables whose class the graph lacks stay unbound)."""
    from kg.query import select

    bindings = {}
    for variable, cls in BINDING_CLASSES.items():
        rows = select(
            store,
            f"SELECT ?label WHERE {{ ?e a pkg:{cls} ; rdfs:label ?label ; pkg:paperCount ?n }} "
            "ORDER BY DESC(?n) ?label LIMIT 1",
        ).rows
        if rows and rows[0][0]:
            bindings[variable] = rows[0][0]
    return bindings


def time_oxigraph(store: Any, queries: list[NamedQuery], bindings: dict[str, str], repeats: int):
    """Seconds (median) and rows of each query on the store, opened once, rows read out."""
    from kg.graph.build import PREFIXES
    from kg.query.sparql import bind_variables

    timings = {}
    with store.open() as ox_store:
        for query in queries:
            sparql = bind_variables(query.text, _bound(query, bindings))
            rows: list[object] = []

            def run(sparql: str = sparql, rows: list[object] = rows) -> None:
                rows[:] = list(ox_store.query(sparql, prefixes=PREFIXES))

            timings[query.name] = (median_seconds(run, repeats), len(rows))
    return timings


class QueryTimeout(BaseException):
    """Raised by the alarm; a BaseException so that no ``except Exception`` inside rdflib's
    evaluation swallows it."""


def _on_alarm(signum: int, frame: object) -> None:
    raise QueryTimeout


def _rdflib_worker(graph_file: str, jobs: list[tuple[str, str]], repeats: int, cap: float, out):
    from rdflib import Graph

    started = time.perf_counter()
    graph = Graph(bind_namespaces="none")
    graph.parse(graph_file, format="nt")
    out.send(("loaded", time.perf_counter() - started, len(graph)))
    signal.signal(signal.SIGALRM, _on_alarm)
    for name, sparql in jobs:
        times: list[float] = []
        rows = 0
        for _ in range(repeats):
            began = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, cap)
            try:
                rows = len(list(graph.query(sparql)))
            except QueryTimeout:
                times = []
                break
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            times.append(time.perf_counter() - began)
        out.send((name, statistics.median(times), rows) if times else (name, None, None))
    out.close()


def time_rdflib(
    graph_file: Path,
    queries: list[NamedQuery],
    bindings: dict[str, str],
    repeats: int,
    cap: float,
) -> dict[str, Any]:
    """rdflib's in-memory engine over the exported graph, in a child process (so its memory
    goes back to the system when it ends): load time, triples, and per query the median
    seconds and rows, or None where a run took longer than ``cap``."""
    from kg.query.sparql import bind_variables

    jobs = [(q.name, bind_variables(q.text, _bound(q, bindings))) for q in queries]
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    worker = context.Process(
        target=_rdflib_worker, args=(str(graph_file), jobs, repeats, cap, send)
    )
    worker.start()
    send.close()
    report: dict[str, Any] = {"queries": {}}
    try:
        while True:
            name, seconds, count = receive.recv()
            if name == "loaded":
                report.update(load_seconds=seconds, triples=count)
            else:
                report["queries"][name] = (seconds, count)
    except EOFError:
        pass
    worker.join()
    if worker.exitcode != 0:
        report["error"] = f"the rdflib process ended with {worker.exitcode}"
    return report


def _bound(query: NamedQuery, bindings: dict[str, str]) -> dict[str, str]:
    return {v: bindings[v] for v in query.variables if v in bindings}


# --------------------------------------------------------------------------------------------
# The run


def measure(args: argparse.Namespace) -> dict[str, Any]:
    import spacy

    from kg.graph.store import ExportFormat, GraphStore
    from kg.ingest import read_papers
    from kg.nlp import SpacyExtractor, paper_text

    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    corpus, new = work / "corpus.jsonl", work / "new.jsonl"
    store_path = work / "store"
    if store_path.exists():
        shutil.rmtree(store_path)  # a first build: empty store, empty extraction cache
    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "papers": args.n,
        "new_papers": args.new,
        "extractor": args.extractor,
        "n_process": args.n_process,
        "repeats": args.repeats,
        "cores": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "load_average_after": {},
    }
    results = work / f"scale-{args.n}.json"

    def done(stage: str, line: str) -> None:
        # Written after every stage, so that a long run stopped on the way keeps its figures.
        report["load_average_after"][stage] = os.getloadavg()
        results.write_text(json.dumps(report, indent=2) + "\n", "utf-8")
        print(line, flush=True)

    started = time.perf_counter()
    sources = read_sources(args.source)
    records = resample(sources, args.n + args.new, seed=args.seed, origin=args.source.name)
    write_records(itertools.islice(records, args.n), corpus)
    write_records(records, new)
    report["make_seconds"] = time.perf_counter() - started
    print(f"wrote {corpus} and {new} in {report['make_seconds']:.1f} s", flush=True)

    texts = [paper_text(p) for p in read_papers([corpus])]
    blank = spacy.blank("en")
    words = sum(len(doc) for doc in blank.pipe(texts, batch_size=256))
    # Each doc is dropped as soon as it is made, as a build drops it.
    tokenizer = median_seconds(
        lambda: sum(1 for _ in blank.pipe(texts, batch_size=256)), args.repeats
    )
    report["tokens"] = words
    report["tokenizer_seconds"] = tokenizer
    texts.clear()
    done("tokenizer", f"tokenizer only: {tokenizer:.2f} s")

    build = run_command(
        kg_command(
            "build",
            str(corpus),
            "--store",
            str(store_path),
            "--extractor",
            args.extractor,
            "--n-process",
            str(args.n_process),
        ),
        work / "build.log",
    )
    report["build"] = _command_report(build, args.n, tokenizer)
    store = GraphStore(store_path)
    report["store_bytes"] = disk_usage(store_path)
    report["graph_bytes"] = disk_usage(store.current.resolve())
    report["cache_bytes"] = sum(
        disk_usage(p) if p.is_dir() else p.stat().st_blocks * 512
        for p in store_path.glob("corpus.sqlite*")
    )
    report["triples"] = len(store)
    done("build", f"build: {build.seconds:.1f} s; {report['triples']} triples")

    queries = named_queries(QUERIES)
    bindings = default_bindings(store)
    bindings.update(dict(b.split("=", 1) for b in args.bind))
    report["bindings"] = bindings
    oxigraph = time_oxigraph(store, queries, bindings, args.repeats)
    report["queries"] = {
        q.name: {
            "bound": _bound(q, bindings),
            "rows": oxigraph[q.name][1],
            "oxigraph_seconds": oxigraph[q.name][0],
        }
        for q in queries
    }
    done("queries", "queries timed on the store")

    if args.n <= args.rdflib_up_to:
        graph_file = work / "graph.nt"
        store.export(graph_file, ExportFormat.NT)
        rdflib = time_rdflib(graph_file, queries, bindings, args.repeats, args.cap)
        graph_file.unlink()
        report["rdflib"] = {k: v for k, v in rdflib.items() if k != "queries"}
        report["rdflib"]["cap_seconds"] = args.cap
        for name, (seconds, rows) in rdflib["queries"].items():
            report["queries"][name]["rdflib_seconds"] = seconds
            report["queries"][name]["rdflib_rows"] = rows
        done("rdflib", "queries timed with rdflib")

    add = run_command(
        kg_command("add", str(new), "--store", str(store_path), "--n-process", str(args.n_process)),
        work / "add.log",
    )
    report["add"] = _command_report(add, args.new, None)
    done("add", f"add: {add.seconds:.1f} s")

    papers = list(read_papers([new]))
    load_started = time.perf_counter()
    extractor = SpacyExtractor.create(args.extractor)
    report["pipeline_load_seconds"] = time.perf_counter() - load_started
    extract = median_seconds(
        lambda: list(extractor.extract(papers, n_process=args.n_process)), args.repeats
    )
    report["extract_new_seconds"] = extract
    report["add"]["x_extraction"] = add.seconds / extract
    report["harness_peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    done("extraction", f"extracting the new papers alone: {extract:.1f} s")
    return report


def _command_report(command: Command, papers: int, tokenizer: float | None) -> dict[str, Any]:
    report: dict[str, Any] = {
        "command": " ".join(command.args[1:]),
        "seconds": command.seconds,
        "papers_per_second": papers / command.seconds,
        "peak_tree_pss": command.peak_tree_pss,
        "peak_tree_rss": command.peak_tree_rss,
        "peak_largest_process_rss": command.peak_largest_rss,
        "memory_samples": command.samples,
        "output": command.stdout,
    }
    if tokenizer is not None:
        report["x_tokenizer"] = command.seconds / tokenizer
    return report


def _gb(value: int) -> str:
    if value < 1024**3:
        return f"{value / 1024**2:,.0f} MB"
    return f"{value / 1024**3:.2f} GB"


def _ms(seconds: float | None, cap: float | None = None) -> str:
    if seconds is None:
        return f"> {cap:g} s" if cap is not None else ""
    return f"{seconds * 1000:,.0f}" if seconds >= 0.01 else f"{seconds * 1000:.1f}"


def markdown(report: dict[str, Any]) -> str:
    """The figures as a table fragment for benchmarks/README.md."""
    n, build, add = report["papers"], report["build"], report["add"]
    lines = [
        f"{n:,} papers, extractor `{report['extractor']}`, {report['n_process']} processes, "
        f"{report['date']}, {report['cores']} cores, load average at start "
        + " / ".join(f"{x:.1f}" for x in report["load_average_at_start"])
        + " (1, 5, 15 min); after each stage (1 min): "
        + ", ".join(f"{k} {v[0]:.1f}" for k, v in report["load_average_after"].items()),
        "",
        "| measure | value |",
        "|---|---|",
        f"| tokenizer only ({report['tokens']:,} tokens, median of {report['repeats']}) "
        f"| {report['tokenizer_seconds']:.1f} s |",
        f"| `kg build` | {build['seconds']:.1f} s, {build['papers_per_second']:.0f} abstracts/s, "
        f"{build['x_tokenizer']:.1f} x tokenizer |",
        f"| peak memory of the build (process tree PSS / RSS summed / largest process) "
        f"| {_gb(build['peak_tree_pss'])} / {_gb(build['peak_tree_rss'])} / "
        f"{_gb(build['peak_largest_process_rss'])} |",
        f"| store on disk (graph / extraction cache) | {_gb(report['store_bytes'])} "
        f"({_gb(report['graph_bytes'])} / {_gb(report['cache_bytes'])}) |",
        f"| triples | {report['triples']:,} |",
        f"| `kg add` of {report['new_papers']:,} new papers | {add['seconds']:.1f} s, "
        f"{add['x_extraction']:.1f} x extracting them alone "
        f"({report['extract_new_seconds']:.1f} s, median of {report['repeats']}) |",
        f"| peak memory of the add (PSS / RSS / largest) | {_gb(add['peak_tree_pss'])} / "
        f"{_gb(add['peak_tree_rss'])} / {_gb(add['peak_largest_process_rss'])} |",
        "",
    ]
    rdflib = report.get("rdflib")
    header = "| query | bound to | rows | Oxigraph ms |"
    rule = "|---|---|---|---|"
    if rdflib:
        header += " rdflib ms | rdflib / Oxigraph |"
        rule += "---|---|"
    lines += [header, rule]
    for name, q in report["queries"].items():
        bound = ", ".join(f"{k}={v}" for k, v in q["bound"].items()) or "-"
        row = f"| {name} | {bound} | {q['rows']:,} | {_ms(q['oxigraph_seconds'])} |"
        if rdflib:
            seconds = q.get("rdflib_seconds")
            ratio = f"{(seconds or rdflib['cap_seconds']) / q['oxigraph_seconds']:,.0f}"
            ratio = ratio if seconds else f"> {ratio}"
            row += f" {_ms(seconds, rdflib['cap_seconds'])} | {ratio} |"
        lines.append(row)
    if rdflib:
        lines += [
            "",
            f"rdflib: {rdflib.get('triples', 0):,} triples loaded from N-Triples in "
            f"{rdflib.get('load_seconds', 0):.0f} s; each run stopped after "
            f"{rdflib['cap_seconds']:g} s." + (f" {rdflib['error']}." if "error" in rdflib else ""),
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="real abstracts")
    common.add_argument("--n", type=int, default=100_000, help="papers (default: %(default)s)")
    common.add_argument("--seed", type=int, default=13)

    p = sub.add_parser("make", parents=[common], help="write a resampled corpus")
    p.add_argument("--out", type=Path, required=True, help="the JSON Lines file to write")
    p.add_argument("--start", type=int, default=0, help="the stream's first record to write")

    p = sub.add_parser("run", parents=[common], help="build, add and query a resampled corpus")
    p.add_argument("--work", type=Path, required=True, help="folder for corpora, store, results")
    p.add_argument("--new", type=int, default=1000, help="papers for kg add (default: 1000)")
    p.add_argument("--extractor", default="model", choices=("model", "rules"))
    p.add_argument("--n-process", type=int, default=2)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--cap", type=float, default=60.0, help="seconds per rdflib query run")
    p.add_argument(
        "--rdflib-up-to", type=int, default=10_000, help="time rdflib up to this many papers"
    )
    p.add_argument("--bind", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)

    if not args.source.exists():
        print(f"source not found: {args.source} (it lives in ../shared beside the project)")
        return 2
    if args.command == "make":
        started = time.perf_counter()
        count = make(args.source, args.n, args.out, seed=args.seed, start=args.start)
        print(f"wrote {count} records to {args.out} in {time.perf_counter() - started:.1f} s")
        return 0
    if args.work.resolve().is_relative_to(ROOT):
        print(f"--work must be outside the project (not in {ROOT})")
        return 2
    table = markdown(measure(args))
    (args.work / f"scale-{args.n}.md").write_text(table, "utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
