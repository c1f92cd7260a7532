"""Fine-tune the top layers of all-MiniLM-L6-v2 plus a linear head to tag the four labels, keep
the epoch best on SciERC dev, and write only those layers and the head with a config.

    python scripts/train_transformer.py ../../shared/train ../../train-runs/transformer \\
        --layers 3 --epochs 8 --seed 0
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

# Everything is read from local files; a hub look-up would be a bug.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
import spacy  # noqa: E402
import torch  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from spacy.language import Language  # noqa: E402
from spacy.util import filter_spans  # noqa: E402
from transformer_ner import (  # noqa: E402
    BASE_DISTRIBUTION,
    CONFIG_FILE,
    WEIGHTS_FILE,
    Window,
    allowed_transitions,
    bio_tags,
    decode_window,
    doc_windows,
    load_base,
)

from kg.nlp.corpora import LABELS, GoldDoc, read_scierc, read_tdmsci, split_tdmsci  # noqa: E402
from kg.nlp.evaluate import MICRO, mention_prf  # noqa: E402

TAGS = bio_tags(LABELS)
ALLOWED = allowed_transitions(TAGS)
TDM_LABELS = ("TASK", "DATASET", "METRIC")


@dataclass
class Example:
    """A window with the tags each of its tokens may take (all True: no annotation)."""

    window: Window
    allowed: np.ndarray  # (tokens in window, tags) bool
    hidden: torch.Tensor | None = None  # lower layers' output, [CLS] ... [SEP]


class Passthrough(torch.nn.Module):
    """Stands in for the embeddings of the top layers, which read cached hidden states."""

    def forward(self, *args: object, inputs_embeds: torch.Tensor, **kwargs: object) -> torch.Tensor:
        return inputs_embeds


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def renumber(state: dict[str, torch.Tensor], shift: int) -> dict[str, torch.Tensor]:
    """The ``encoder.layer.N.*`` weights of ``state`` keyed ``N+shift.*`` (those with N+shift
    >= 0), as the top layers of the base are layers 0.. of a smaller encoder."""
    result = {}
    for key, value in state.items():
        parts = key.split(".", 3)
        if parts[:2] == ["encoder", "layer"] and int(parts[2]) + shift >= 0:
            result[f"{int(parts[2]) + shift}.{parts[3]}"] = value
    return result


def allowed_tags(doc: spacy.tokens.Doc, gold: GoldDoc, outside: set[str]) -> np.ndarray:
    """Per token, the tags the gold data allows: the gold tag inside a mention, ``outside``
    elsewhere, every tag inside a range the gold data leaves unannotated."""
    allowed = np.zeros((len(doc), len(TAGS)), dtype=bool)
    allowed[:, [TAGS.index(t) for t in outside]] = True
    spans = [
        doc.char_span(s.start, s.end, label=s.label, alignment_mode="expand") for s in gold.spans
    ]
    # SciERC nests a few mentions; a flat tagger keeps the longest, as the spaCy model does.
    entities = filter_spans([s for s in spans if s is not None])
    covered = {i for span in entities for i in range(span.start, span.end)}
    for start, end in gold.unknown:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None:
            for i in range(span.start, span.end):
                if i not in covered:
                    allowed[i] = True
    for span in entities:
        for i in range(span.start, span.end):
            allowed[i] = False
            allowed[i, TAGS.index(("B-" if i == span.start else "I-") + span.label_)] = True
    return allowed


def examples(
    nlp: Language, tokenizer: object, golds: Sequence[GoldDoc], outside: set[str], max_pieces: int
) -> tuple[list[spacy.tokens.Doc], list[Example]]:
    docs = list(nlp.pipe(g.text for g in golds))
    encodings = tokenizer.encode_batch([d.text for d in docs], add_special_tokens=False)
    result = []
    for index, (doc, gold, enc) in enumerate(zip(docs, golds, encodings, strict=True)):
        allowed = allowed_tags(doc, gold, outside)
        for window in doc_windows(doc, index, enc.ids, enc.offsets, max_pieces):
            result.append(Example(window, allowed[window.start : window.end]))
    return docs, result


def pad(batch: Sequence[Example], cls: int, sep: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(e.window.ids) for e in batch) + 2
    ids = torch.zeros((len(batch), width), dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, e in enumerate(batch):
        pieces = [cls, *e.window.ids, sep]
        ids[row, : len(pieces)] = torch.tensor(pieces)
        mask[row, : len(pieces)] = 1
    return ids, mask


def batches(items: Sequence[Example], size: int, shuffle: bool) -> list[list[Example]]:
    """Batches of windows of similar length (less padding), in random order when training."""
    order = sorted(range(len(items)), key=lambda i: (len(items[i].window.ids), random.random()))
    chunks = [[items[i] for i in order[b : b + size]] for b in range(0, len(order), size)]
    if shuffle:
        random.shuffle(chunks)
    return chunks


def cache_lower(lower: torch.nn.Module, items: Sequence[Example], cls: int, sep: int) -> None:
    """Run the frozen embeddings and lower layers once; the top layers train on the result."""
    with torch.inference_mode():
        for batch in batches(items, 64, shuffle=False):
            ids, mask = pad(batch, cls, sep)
            hidden = lower(input_ids=ids, attention_mask=mask).last_hidden_state
            for row, e in enumerate(batch):
                e.hidden = hidden[row, : len(e.window.ids) + 2].clone()


def stack(batch: Sequence[Example]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(e.hidden.shape[0] for e in batch)  # type: ignore[union-attr]
    hidden = torch.zeros((len(batch), width, batch[0].hidden.shape[1]))  # type: ignore[union-attr]
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, e in enumerate(batch):
        n = e.hidden.shape[0]  # type: ignore[union-attr]
        hidden[row, :n] = e.hidden
        mask[row, :n] = 1
    return hidden, mask


def token_positions(batch: Sequence[Example]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(row, piece position) of each tagged token in a padded batch, and its allowed tags."""
    rows, cols, allowed = [], [], []
    for row, e in enumerate(batch):
        for j, p in enumerate(e.window.first_piece):
            if p >= 0 and not e.allowed[j].all():
                rows.append(row)
                cols.append(p + 1)
                allowed.append(e.allowed[j])
    return torch.tensor(rows), torch.tensor(cols), torch.from_numpy(np.array(allowed))


def predict(
    top: torch.nn.Module, head: torch.nn.Module, items: Sequence[Example], n_docs: int
) -> list[list[tuple[int, int, str]]]:
    """Token-index spans per document, decoded as the spaCy component decodes them."""
    found: list[list[tuple[int, int, str]]] = [[] for _ in range(n_docs)]
    top.eval()
    head.eval()
    with torch.inference_mode():
        for batch in batches(items, 32, shuffle=False):
            hidden, mask = stack(batch)
            probs = torch.softmax(
                head(top(inputs_embeds=hidden, attention_mask=mask).last_hidden_state), dim=-1
            ).numpy()
            for row, e in enumerate(batch):
                positions = [p + 1 if p >= 0 else 0 for p in e.window.first_piece]
                rows = probs[row, positions]
                rows[np.array(e.window.first_piece) < 0] = np.eye(len(TAGS))[0]
                for start, end, label, _ in decode_window(rows, TAGS, ALLOWED):
                    found[e.window.doc].append(
                        (e.window.start + start, e.window.start + end, label)
                    )
    return found


def score(
    docs: Sequence[spacy.tokens.Doc],
    golds: Sequence[GoldDoc],
    found: Sequence[Sequence[tuple]],
    labels: Sequence[str],
) -> dict:
    pred = [
        [(d[s:e].start_char, d[s:e].end_char, label) for s, e, label in spans]
        for d, spans in zip(docs, found, strict=True)
    ]
    gold = [[(s.start, s.end, s.label) for s in g.spans] for g in golds]
    ignore = [g.unknown for g in golds]
    exact = mention_prf(gold, pred, ignore=ignore, labels=labels)
    partial = mention_prf(gold, pred, ignore=ignore, labels=labels, partial=True)
    return {
        "exact": {k: round(v.f1, 4) for k, v in exact.items()},
        "partial_micro_f1": round(partial[MICRO].f1, 4),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("shared", type=Path, help="the shared train/ folder (scierc/, tdmsci/)")
    parser.add_argument("out", type=Path, help="where the weights and config go")
    parser.add_argument("--layers", type=int, default=3, help="top layers to fine-tune (k)")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--material", default="name", help="SciERC Material mapping (as trained)")
    parser.add_argument(
        "--tdmsci-outside",
        choices=["not-tdm", "missing"],
        default="not-tdm",
        help="TDMSci tokens outside its mentions: anything but TASK/DATASET/METRIC, or unknown",
    )
    parser.add_argument("--max-pieces", type=int, default=128, help="word pieces per window")
    parser.add_argument("--batch-size", type=int, default=16, help="windows per step")
    parser.add_argument("--lr", type=float, default=2e-4, help="peak learning rate of the layers")
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--limit", type=int, default=0, help="first N docs per corpus (tests)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    torch.use_deterministic_algorithms(True)

    def head_of(docs: list[GoldDoc]) -> list[GoldDoc]:
        return docs[: args.limit] if args.limit else docs

    scierc = args.shared / "scierc"
    scierc_train = head_of(
        list(read_scierc(scierc / "train.unified.jsonl", material=args.material))
    )
    scierc_dev = head_of(list(read_scierc(scierc / "dev.unified.jsonl", material=args.material)))
    tdm_train, tdm_heldout = split_tdmsci(
        read_tdmsci(args.shared / "tdmsci" / "train_1500_v2.conll")
    )
    tdm_train, tdm_heldout = head_of(tdm_train), head_of(tdm_heldout)

    full, tokenizer = load_base()
    n_layers = full.config.num_hidden_layers
    if not 1 <= args.layers <= n_layers:
        parser.error(f"--layers must be between 1 and {n_layers}")
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")

    # The same tokenisation and sentence windows as the spaCy component at prediction time.
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    tdm_outside = {"O"} | (
        {"B-METHOD", "I-METHOD"} if args.tdmsci_outside == "not-tdm" else set(TAGS)
    )
    _, train = examples(nlp, tokenizer, scierc_train, {"O"}, args.max_pieces)
    _, tdm = examples(nlp, tokenizer, tdm_train, tdm_outside, args.max_pieces)
    train += tdm
    dev_docs, dev = examples(nlp, tokenizer, scierc_dev, {"O"}, args.max_pieces)
    held_docs, held = examples(nlp, tokenizer, tdm_heldout, {"O"}, args.max_pieces)
    print(f"windows: train {len(train)}, SciERC dev {len(dev)}, TDMSci held-out {len(held)}")

    lower, _ = load_base(n_layers - args.layers)
    top, _ = load_base(args.layers)
    first_top = n_layers - args.layers
    top.encoder.layer.load_state_dict(renumber(full.state_dict(), -first_top))
    top.embeddings = Passthrough()
    check = dev[:4]
    ids, mask = pad(check, cls, sep)
    with torch.inference_mode():
        expected = full(input_ids=ids, attention_mask=mask).last_hidden_state
        split = top(
            inputs_embeds=lower(input_ids=ids, attention_mask=mask).last_hidden_state,
            attention_mask=mask,
        ).last_hidden_state
    gap = float((expected - split).abs().masked_fill(mask[..., None] == 0, 0).max())
    if gap > 1e-4:
        raise SystemExit(f"lower + top layers differ from the whole model by {gap}")
    del full

    t0 = time.perf_counter()
    for items in (train, dev, held):
        cache_lower(lower, items, cls, sep)
    print(f"lower {first_top} layers cached in {time.perf_counter() - t0:.0f} s")

    head = torch.nn.Sequential(
        torch.nn.Dropout(0.1), torch.nn.Linear(top.config.hidden_size, len(TAGS))
    )
    optimizer = torch.optim.AdamW(
        [
            {"params": top.parameters(), "lr": args.lr},
            {"params": head.parameters(), "lr": args.head_lr},
        ],
        weight_decay=0.01,
    )
    steps = args.epochs * ((len(train) + args.batch_size - 1) // args.batch_size)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup)))
    )

    best: dict = {"f1": -1.0}
    history = []
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        top.train()
        head.train()
        total, count = 0.0, 0
        for batch in batches(train, args.batch_size, shuffle=True):
            hidden, mask = stack(batch)
            rows, cols, allowed = token_positions(batch)
            if len(rows) == 0:
                continue
            logits = head(top(inputs_embeds=hidden, attention_mask=mask).last_hidden_state)
            logp = torch.log_softmax(logits[rows, cols], dim=-1)
            # Partial-label loss: the probability mass on the allowed tags (one tag when the
            # gold data says which, several where it only rules some out).
            loss = -torch.logsumexp(logp.masked_fill(~allowed, float("-inf")), dim=-1).mean()
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([*top.parameters(), *head.parameters()], 1.0)
            optimizer.step()
            schedule.step()
            total += loss.item() * len(rows)
            count += len(rows)
        dev_scores = score(dev_docs, scierc_dev, predict(top, head, dev, len(dev_docs)), LABELS)
        held_scores = score(
            held_docs, tdm_heldout, predict(top, head, held, len(held_docs)), TDM_LABELS
        )
        f1 = dev_scores["exact"][MICRO]
        history.append(
            {
                "epoch": epoch,
                "loss": round(total / max(count, 1), 4),
                "scierc_dev": dev_scores,
                "tdmsci_heldout": held_scores,
            }
        )
        print(
            f"epoch {epoch}: loss {total / max(count, 1):.4f}, SciERC dev exact F1 {f1:.4f} "
            f"{dev_scores['exact']}, partial {dev_scores['partial_micro_f1']:.4f}; TDMSci "
            f"held-out exact F1 {held_scores['exact'][MICRO]:.4f} "
            f"({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )
        if f1 > best["f1"]:
            state = renumber(
                {f"encoder.layer.{k}": v for k, v in top.encoder.layer.state_dict().items()},
                first_top,
            )
            state = {f"encoder.layer.{k}": v for k, v in state.items()}
            state["classifier.weight"] = head[1].weight
            state["classifier.bias"] = head[1].bias
            # fp16 halves the shipped size; the layers run in fp32 after loading.
            best = {
                "f1": f1,
                "epoch": epoch,
                "dev": dev_scores,
                "heldout": held_scores,
                "state": {k: v.detach().clone().half().contiguous() for k, v in state.items()},
            }

    args.out.mkdir(parents=True, exist_ok=True)
    save_file(best["state"], str(args.out / WEIGHTS_FILE))
    config = {
        "name": "paperkg_transformer_ner",
        "labels": list(LABELS),
        "tags": TAGS,
        "max_pieces": args.max_pieces,
        "base": {
            "package": BASE_DISTRIBUTION,
            "version": metadata.version(BASE_DISTRIBUTION),
            "model": "sentence-transformers/all-MiniLM-L6-v2",
            "license": "Apache-2.0",
        },
        "fine_tuned_layers": list(range(first_top, n_layers)),
        "layers": args.layers,
        "dtype": "float16",
        "training": {
            "data": "SciERC train (Material: " + args.material + "), TDMSci train minus every "
            "10th sentence (outside mentions: " + args.tdmsci_outside + ")",
            "selected_on": "SciERC dev, mention-level exact micro F1",
            "epochs": args.epochs,
            "best_epoch": best["epoch"],
            "seed": args.seed,
            "lr": args.lr,
            "head_lr": args.head_lr,
            "batch_size": args.batch_size,
            "torch": torch.__version__,
            "seconds": round(time.perf_counter() - started),
        },
        "scores": {"scierc_dev": best["dev"], "tdmsci_heldout": best["heldout"]},
        "history": history,
    }
    (args.out / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    size = sum(f.stat().st_size for f in args.out.iterdir() if f.is_file())
    print(
        f"{args.out}: best epoch {best['epoch']} (SciERC dev exact F1 {best['f1']:.4f}), "
        f"{size / 1e6:.1f} MB, {time.perf_counter() - started:.0f} s in all"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
