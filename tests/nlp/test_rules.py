from __future__ import annotations

import pytest

from kg.nlp import build_pipeline
from kg.nlp.rules import SPANS_KEY


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline("rules")


def spans(nlp, text):
    doc = nlp(text)
    return [(s.text, s.label_) for s in doc.spans[SPANS_KEY]]


def sure_spans(doc, floor=0.8):
    """The rule spans at least ``floor`` sure, which compete with a model's spans."""
    group = doc.spans[SPANS_KEY]
    confidences = group.attrs["confidences"]
    return {(s.text, s.label_) for s, c in zip(group, confidences, strict=True) if c >= floor}


def test_pipeline_components(nlp):
    assert nlp.pipe_names == [
        "sentencizer",
        "paperkg_paragraph_breaks",
        "paperkg_abbreviations",
        "paperkg_entity_rules",
    ]
    assert nlp.get_pipe("paperkg_entity_rules").labels == ("DATASET", "METHOD", "METRIC", "TASK")


def test_task_phrase_drops_verbs_and_evaluative_words(nlp):
    found = spans(nlp, "Our approach improves robust head pose estimation in crowds.")
    assert ("head pose estimation", "TASK") in found


def test_method_phrase(nlp):
    found = spans(nlp, "We compare against convolutional neural networks.")
    assert ("convolutional neural networks", "METHOD") in found


def test_hyphenated_compound_is_not_cut(nlp):
    found = spans(nlp, "We move past end-to-end Transformer architectures.")
    texts = [t for t, _ in found]
    assert "end Transformer architectures" not in texts
    assert "Transformer architectures" in texts


def test_dataset_list_before_head(nlp):
    found = spans(nlp, "Experiments on the VoxCeleb1, VoxCeleb2 and HDTF datasets show gains.")
    assert [t for t, lab in found if lab == "DATASET"] == ["VoxCeleb1", "VoxCeleb2", "HDTF"]


def test_name_after_on_in_result_sentence_is_dataset(nlp):
    found = dict(spans(nlp, "It reaches 50.6% mAP on AudioSet-2M and runs on CPUs."))
    assert found["AudioSet-2M"] == "DATASET"
    assert found["mAP"] == "METRIC"


def test_based_on_is_not_a_dataset_cue(nlp):
    found = dict(spans(nlp, "Our detector, based on Co-DETR, reaches 66.0 AP."))
    assert found["Co-DETR"] == "METHOD"


def test_names_joined_across_hyphens(nlp):
    found = dict(spans(nlp, "We fine-tune Mask R-CNN for text detection."))
    assert found["Mask R-CNN"] == "METHOD"


def test_metric_phrases(nlp):
    found = spans(nlp, "It lowers the word error rate and raises BLEU.")
    assert ("word error rate", "METRIC") in found
    assert ("BLEU", "METRIC") in found


def test_urls_and_common_acronyms_are_not_names(nlp):
    found = [
        t for t, _ in spans(nlp, "Code is at https://example.org/GitRepo. We use a GPU and NLP.")
    ]
    assert not any("example.org" in t for t in found)
    assert "GPU" not in found and "NLP" not in found


def test_spans_do_not_overlap_and_carry_confidence(nlp):
    doc = nlp("Diffusion Transformer models for talking head video generation on HDTF and MEAD.")
    group = doc.spans[SPANS_KEY]
    tokens = [i for s in group for i in range(s.start, s.end)]
    assert len(tokens) == len(set(tokens))
    assert group.attrs["extractor"] == "rules"
    assert len(group.attrs["confidences"]) == len(group)
    assert all(0 < c <= 1 for c in group.attrs["confidences"])


def test_title_is_its_own_sentence(nlp):
    doc = nlp("A Title Without Full Stop\n\nThe abstract starts here.")
    assert [s.text.strip() for s in doc.sents] == [
        "A Title Without Full Stop",
        "The abstract starts here.",
    ]


@pytest.mark.parametrize("n_process", [1, 2])
def test_pipe_gives_same_spans_in_processes(nlp, n_process):
    texts = [
        "We evaluate Co-DETR on COCO and LVIS benchmarks.",
        "BLEU rises for machine translation.",
    ]
    docs = list(nlp.pipe(texts, n_process=n_process))
    assert [[(s.text, s.label_) for s in d.spans[SPANS_KEY]] for d in docs] == [
        [("Co-DETR", "METHOD"), ("COCO", "DATASET"), ("LVIS", "DATASET")],
        [("BLEU", "METRIC"), ("machine translation", "TASK")],
    ]


def test_dataset_list_after_head(nlp):
    found = spans(nlp, "We test on the standard benchmarks of VoxCeleb1 and VoxCeleb2 today.")
    assert [t for t, lab in found if lab == "DATASET"] == ["VoxCeleb1", "VoxCeleb2"]
    found = spans(nlp, "It is trained on datasets such as COCO, LVIS and Objects365.")
    assert [t for t, lab in found if lab == "DATASET"] == ["COCO", "LVIS", "Objects365"]


def test_names_given_as_examples_of_methods_are_sure_methods(nlp):
    doc = nlp("Results on ImageNet beat baselines such as ResNet-50 and ViT-B/16.")
    sure = sure_spans(doc)
    assert {("ResNet-50", "METHOD"), ("ViT-B/16", "METHOD")} <= sure
    doc = nlp("We prune models such as Quail-3-7B on GLUE.")
    assert ("Quail-3-7B", "METHOD") in sure_spans(doc)


def test_capitalised_treebank_is_part_of_the_name(nlp):
    found = spans(nlp, "We report results on the Quill Treebank and the WSJ corpus.")
    datasets = [t for t, lab in found if lab == "DATASET"]
    assert "Quill Treebank" in datasets and "WSJ" in datasets


def test_name_right_after_trained_on_is_a_sure_dataset(nlp):
    doc = nlp("Trained on Quailset2 and evaluated on Wren-1 and HDQ, the model runs fast.")
    sure = sure_spans(doc)
    assert {("Quailset2", "DATASET"), ("Wren-1", "DATASET"), ("HDQ", "DATASET")} <= sure


def test_list_that_ends_on_a_method_noun_names_methods(nlp):
    found = spans(nlp, "Extensive experiments on QuillNet, WrenNet and GPT-9 models show the gain.")
    assert not any(label == "DATASET" for _, label in found)
    assert ("WrenNet", "METHOD") in found


def test_measures_that_are_ordinary_words_are_weak_metric_candidates(nlp):
    doc = nlp(
        "Our bound on the regret is tight, the test error falls and the running time halves, "
        "while faithfulness improves over the baseline encoder."
    )
    found = {(s.text, s.label_) for s in doc.spans[SPANS_KEY]}
    for measure in ("regret", "test error", "running time", "faithfulness"):
        assert (measure, "METRIC") in found
    # Weak: the classifier decides, and a trained model's span wins over them.
    weak = {"regret", "test error", "running time", "faithfulness"}
    assert not {text for text, _ in sure_spans(doc, floor=0.7)} & weak


def test_a_measure_head_needs_a_content_word_before_it(nlp):
    found = spans(nlp, "This leaves the error small and a cost that the method avoids.")
    assert not [text for text, label in found if label == "METRIC"]
