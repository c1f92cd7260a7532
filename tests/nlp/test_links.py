from __future__ import annotations

import pytest
from rdflib import URIRef

from kg.ingest.paper import Paper
from kg.nlp.analysis import analyse
from kg.nlp.links import (
    REPAIRED,
    WRITTEN,
    Link,
    address_spans,
    code_methods,
    find_links,
    initials,
    link_kind,
    normalise_url,
    sentence_around,
    url_names,
)
from kg.nlp.mention import Label, Mention


def urls(text: str) -> list[str]:
    return [url for _, _, url, _ in address_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Codes are available at https://github.com/Sense-X/Co-DETR.",
            "https://github.com/Sense-X/Co-DETR",
        ),
        ("at https://tempeh.is.tue.mpg.de.", "https://tempeh.is.tue.mpg.de"),
        ("(see https://github.com/bethgelab/foolbox).", "https://github.com/bethgelab/foolbox"),
        ("code (https://github.com/Microsoft/EdgeML/).", "https://github.com/Microsoft/EdgeML"),
        ("https://en.wikipedia.org/wiki/Foo_(bar)).", "https://en.wikipedia.org/wiki/Foo_(bar)"),
        ("page at https://haochen-rye.github.io/HNeRV, and", "https://haochen-rye.github.io/HNeRV"),
        ("code: https://github.com/a/b; data: elsewhere", "https://github.com/a/b"),
        ('the repo "https://github.com/a/b".', "https://github.com/a/b"),
        ("at ‘https://github.com/stanfordnlp/pyvene‘.", "https://github.com/stanfordnlp/pyvene"),
        ("at “https://example.org/x”!", "https://example.org/x"),
        (
            "at _https://github.com/UCF-ML-Research/TrojFSP_.",
            "https://github.com/UCF-ML-Research/TrojFSP",
        ),
        ("at \\url{https://github.com/loshchil/SGDR}}", "https://github.com/loshchil/SGDR"),
        (
            "check https://github.com/harlanhong/ICCV2023-MCNET{Project}.",
            "https://github.com/harlanhong/ICCV2023-MCNET",
        ),
        (
            "edu-convokit https://github.com/stanfordnlp/edu-convokit[2]",
            "https://github.com/stanfordnlp/edu-convokit",
        ),
        ("on https: //github.com/Link-Li/CLMLF", "https://github.com/Link-Li/CLMLF"),
        ("at https:// github.com/a/b.", "https://github.com/a/b"),
        ("at https://github.com/\nBaoWangMath/DNN-Act.", "https://github.com/BaoWangMath/DNN-Act"),
        (
            "Code can be found at github.com/aimbrain/vqa-project.",
            "https://github.com/aimbrain/vqa-project",
        ),
        ("available at athttps://github.com/Xuekai-Zhu/pad.", "https://github.com/Xuekai-Zhu/pad"),
        ("link: bluehttps://github.com/RUCAIBox/COMUS.", "https://github.com/RUCAIBox/COMUS"),
        ("at https://github.com/x/y.git.", "https://github.com/x/y"),
        ("at http://github.com/x/y", "https://github.com/x/y"),
        ("at http://nlp.uoregon.edu:9000/).", "http://nlp.uoregon.edu:9000/"),
        ("at https://youtu.be/zd?si=h9ql-. We", "https://youtu.be/zd?si=h9ql-"),
        ("at https://tanshuai0219.github.io/EDTalk/", "https://tanshuai0219.github.io/EDTalk/"),
        ("at HTTPS://Example.ORG/Path", "https://example.org/Path"),
        ("at x.github.io.", "https://x.github.io"),
    ],
)
def test_an_address_is_cut_out_of_its_sentence(text, expected):
    assert urls(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Two addresses glued together, and a Markdown link that gives one address twice.
        (
            "at https://github.com/declare-lab/Sealinghttps://github.com/declare-lab/Sealing.",
            ["https://github.com/declare-lab/Sealing"] * 2,
        ),
        (
            "at https://github.com/kaistAI/Volcanogithub.com/kaistAI/Volcano",
            ["https://github.com/kaistAI/Volcano"] * 2,
        ),
        ("is: [https://github.com/a/b](https://github.com/a/b).", ["https://github.com/a/b"] * 2),
        # Not addresses: a bare domain off the known hosts, an e-mail, broken hosts and escapes.
        ("fact-checks from www.politifact.com; and Snopes.com.", []),
        ("mail me@github.com/x/y or GitHub.", []),
        ("https://localhost/x https://bad_host/x https://a.bc:99999/x", []),
        ("https://example.org/a%zz and https://example.org/a#b#c", []),
        ("Code is available on GitHub.", []),
    ],
)
def test_glued_and_false_addresses(text, expected):
    assert urls(text) == expected


def test_spans_point_at_the_text_as_written():
    text = "Code: https: //github.com/x/y.git. Page (x.github.io/p). See https://a.org/b."
    spans = list(address_spans(text))
    assert [(text[s:e], url, c) for s, e, url, c in spans] == [
        ("https: //github.com/x/y.git", "https://github.com/x/y", REPAIRED),
        ("x.github.io/p", "https://x.github.io/p", REPAIRED),
        ("https://a.org/b", "https://a.org/b", WRITTEN),
    ]
    for *_, url, _ in spans:
        assert URIRef(url).n3() == f"<{url}>"
        assert not any(c.isspace() or c in "\"'<>{}|\\^`" for c in url)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://github.com/Sense-X/Co-DETR", "code"),
        ("https://github.com/microsoft/FLAML/tree/main/flaml/nlp", "code"),
        ("https://www.github.com/a/b", "code"),
        ("https://gitlab.com/group/project", "code"),
        ("https://bitbucket.org/team/repo", "code"),
        ("https://huggingface.co/bert-base-uncased", "code"),
        ("https://huggingface.co/datasets/nvidia/HelpSteer", "code"),
        ("https://github.com/facebookresearch", "page"),
        ("https://github.com", "page"),
        ("https://huggingface.co/papers/2301.00001", "page"),
        ("https://tanshuai0219.github.io/EDTalk/", "page"),
        ("https://aka.ms/beats", "page"),
        ("https://project.mhzhou.com/vico", "page"),
    ],
)
def test_code_hosts_give_code_links_and_other_addresses_pages(url, kind):
    assert link_kind(url) == kind


def test_normalise_leaves_pages_as_written():
    assert normalise_url("https://x.github.io/p/") == "https://x.github.io/p/"
    assert (
        normalise_url("http://www.stat.ucla.edu/~a/b.html") == "http://www.stat.ucla.edu/~a/b.html"
    )
    assert normalise_url("https://github.com/a/b/") == "https://github.com/a/b"


def test_a_dot_in_an_address_does_not_end_its_sentence():
    text = "We win on COCO. Code is at https://github.com/a/b.c. Data at https://d.org/e."
    start = text.index("https://github")
    assert sentence_around(text, start, start + len("https://github.com/a/b.c")) == (
        "Code is at https://github.com/a/b.c."
    )
    text = "See https://github.com/a/b\n\nOur model wins."
    assert sentence_around(text, 4, 26) == "See https://github.com/a/b"


def test_find_links_in_title_and_abstract():
    paper = Paper(
        id="p",
        title="Owls (github.com/owls/owlnet)",
        abstract="We propose OwlNet. Project page: https://owls.github.io/owlnet/.",
    )
    assert find_links(paper) == [
        Link("code", "https://github.com/owls/owlnet", "title", 6, 28,
             "Owls (github.com/owls/owlnet)", "github.com/owls/owlnet", REPAIRED),
        Link("page", "https://owls.github.io/owlnet/", "abstract", 33, 63,
             "Project page: https://owls.github.io/owlnet/.", "https://owls.github.io/owlnet/",
             WRITTEN),
    ]  # fmt: skip


# ---------------------------------------------------------- which method the code is for


# (surface, label, proposed) or (surface, label, proposed, long form of an acronym)
Named = list[tuple[str, Label, bool] | tuple[str, Label, bool, str]]


def mentions_of(text: str, named: Named) -> tuple[list[Mention], list[bool]]:
    """Mentions at the given surfaces, each at the next place its surface is written."""
    mentions: list[Mention] = []
    flags: list[bool] = []
    for surface, label, own, *long_form in named:
        start = text.index(surface, max((m.end for m in mentions if m.text == surface), default=0))
        mentions.append(
            Mention(surface, label, "abstract", start, start + len(surface), text, 0.9, "rules",
                    long_form[0] if long_form else None)
        )  # fmt: skip
        flags.append(own)
    return mentions, flags


def methods_for(abstract: str, named: Named) -> list[list[str]]:
    paper = Paper(id="p", title="T", abstract=abstract)
    mentions, flags = mentions_of(abstract, named)
    return [
        [m.text for m in code_methods(paper, link, mentions, flags)] for link in find_links(paper)
    ]


M, D = Label.METHOD, Label.DATASET


@pytest.mark.parametrize(
    ("abstract", "named", "expected"),
    [
        # The sentence names the proposed method as what the address holds, whatever the
        # address is called.
        (
            "We propose OwlNet and BatNet. Code for OwlNet is available at https://github.com/o/n.",
            [("OwlNet", M, True), ("BatNet", M, True), ("OwlNet", M, False)],
            [["OwlNet"]],
        ),
        (
            "We propose OwlNet and BatNet. BatNet is available at https://github.com/o/b.",
            [("OwlNet", M, True), ("BatNet", M, True), ("BatNet", M, False)],
            [["BatNet"]],
        ),
        (
            "We propose OwlNet. We release the source code of OwlNet at: https://github.com/o/n.",
            [("OwlNet", M, True), ("OwlNet", M, False)],
            [["OwlNet"]],
        ),
        (
            "We propose OwlNet. OwlNet, along with its owl simulator, is open-sourced at "
            "https://github.com/o/n.",
            [("OwlNet", M, True), ("OwlNet", M, False)],
            [["OwlNet"]],
        ),
        # A proposed method named where nothing ties the address to it.
        (
            "We propose OwlNet and BatNet. We run OwlNet on https://github.com/o/n.",
            [("OwlNet", M, True), ("BatNet", M, True), ("OwlNet", M, False)],
            [[]],
        ),
        # Named in the sentence, but another clause says what is available: the "proposed"
        # name of something the paper only uses (fMRI, a licence) does not get the code.
        (
            "We decode images from fMRI; our code is available at https://github.com/o/minds.",
            [("fMRI", M, True)],
            [[]],
        ),
        (
            "We release this dataset with CC-BY-4.0 license at https://huggingface.co/o/Owls.",
            [("CC-BY-4.0", M, True)],
            [[]],
        ),
        (
            "We propose OwlNet, which beats every owl detector we know of on all six benchmarks "
            "of night birds and is available at https://github.com/o/n.",
            [("OwlNet", M, True)],
            [[]],
        ),
        # The sentence names a method the paper does not propose.
        (
            "We propose OwlNet. Code for ResNet is at https://github.com/o/r.",
            [("OwlNet", M, True), ("ResNet", M, False)],
            [[]],
        ),
        (
            "We propose OwlNet. Code for ResNet is at https://github.com/o/ResNet.",
            [("OwlNet", M, True), ("ResNet", M, False)],
            [[]],
        ),
        # No name in the sentence: the address's path must name the proposed method.
        (
            "We propose OwlNet for owls. Our code is released at https://github.com/o/OwlNet.",
            [("OwlNet", M, True)],
            [["OwlNet"]],
        ),
        (
            "We propose OwlNet for owls. Our code is released at https://github.com/o/n.",
            [("OwlNet", M, True)],
            [[]],
        ),
        (
            "We propose OwlNet. Our models are released at https://huggingface.co/o/owlnet-base.",
            [("OwlNet", M, True)],
            [["OwlNet"]],
        ),
        (
            "We propose OwlNet. Our models are released at https://huggingface.co/o/n.",
            [("OwlNet", M, True)],
            [[]],
        ),
        # ... case, "-", "_" and digits aside, but not inside a word.
        (
            "We propose Co-DETR. Codes are available at https://github.com/Sense-X/Co-DETR.",
            [("Co-DETR", M, True)],
            [["Co-DETR"]],
        ),
        (
            "We propose HyperReenact. We make the code publicly available at: "
            "https://github.com/StelaBou/HyperReenact .",
            [("HyperReenact", M, True)],
            [["HyperReenact"]],
        ),
        (
            "We propose Owl Net 2. The code: https://github.com/o/ICCV2023_owlnet2-pytorch.",
            [("Owl Net 2", M, True)],
            [["Owl Net 2"]],
        ),
        (
            "We propose dilated RNN cells. The code: https://github.com/o/DilatedRNN.",
            [("RNN", M, True)],
            [[]],
        ),
        # ... or its acronym, or its long form, or the initials of its long form.
        (
            "We propose the context autoencoder (CAE). The CAE wins. Code: "
            "https://github.com/Atten4Vis/CAE.",
            [
                ("context autoencoder", M, True),
                ("CAE", M, False, "context autoencoder"),
                ("CAE", M, False, "context autoencoder"),
            ],
            [["context autoencoder"]],
        ),
        (
            "We propose the Owl Network (OwlN). The implementation: https://github.com/o/owl-network.",
            [("Owl Network", M, True), ("OwlN", M, True, "Owl Network")],
            [["Owl Network"]],
        ),
        (
            "We propose the Binary Passage Retriever. Code is available at "
            "https://github.com/studio-ousia/bpr.",
            [("Binary Passage Retriever", M, True)],
            [["Binary Passage Retriever"]],
        ),
        (
            "We propose the Self-Prompting framework. Code is at https://github.com/o/self-prompting.",
            [("Self-Prompting framework", M, True)],
            [["Self-Prompting framework"]],
        ),
        # A proposed name that the path does not hold: the link stays the paper's alone.
        (
            "We decode images from fMRI (functional Magnetic Resonance Imaging). Our code and "
            "weights will be publicly released at https://github.com/o/See_Through_Their_Minds.",
            [("fMRI", M, True, "functional Magnetic Resonance Imaging")],
            [[]],
        ),
        (
            "We add Layer-Attention to a face transformer. The code and models will be made "
            "publicly available at https://github.com/lxq1000/Faceptor.",
            [("Layer-Attention", M, True)],
            [[]],
        ),
        # Two proposed methods: the one the path names, else neither.
        (
            "We propose OwlNet and BatNet. Our code is at https://github.com/o/BatNet.",
            [("OwlNet", M, True), ("BatNet", M, True)],
            [["BatNet"]],
        ),
        (
            "We propose OwlNet and BatNet. Our code is at https://github.com/o/n.",
            [("OwlNet", M, True), ("BatNet", M, True)],
            [[]],
        ),
        (
            "We propose EMI-RNN, a recurrent model. Code: https://github.com/o/EMI-RNN.",
            [("EMI-RNN", M, True), ("RNN", M, True)],
            [["EMI-RNN"]],
        ),
        # A project page on a code host named after the method is its code; without the name,
        # or on a page host, it is not.
        (
            "We propose OwlNet. Project page: https://github.com/o/OwlNet.",
            [("OwlNet", M, True)],
            [["OwlNet"]],
        ),
        (
            "We propose OwlNet. Project page: https://github.com/o/n.",
            [("OwlNet", M, True)],
            [[]],
        ),
        (
            "We propose OwlNet. Our code and demos are at https://o.github.io/OwlNet.",
            [("OwlNet", M, True)],
            [[]],
        ),
        # A proposed dataset is not a method; nor is an address in a sentence about others.
        (
            "We release OwlSet. Code and data are at https://github.com/o/OwlSet.",
            [("OwlSet", D, True)],
            [[]],
        ),
        (
            "We propose OwlNet. We compare with https://github.com/o/OwlNet.",
            [("OwlNet", M, True)],
            [[]],
        ),
    ],
)
def test_method_link_only_when_the_sentence_or_the_address_names_it(abstract, named, expected):
    assert methods_for(abstract, named) == expected


@pytest.mark.parametrize(
    ("url", "forms", "length"),
    [
        ("https://github.com/Sense-X/Co-DETR", ["co-detr"], 6),
        ("https://github.com/Sense-X/Co-DETR", ["CoDETR"], 6),
        ("https://github.com/Sense-X/Co-DETR", ["DETR"], 4),
        ("https://github.com/wutaiqiang/WID-NAACL2024", ["WID"], 3),
        ("https://github.com/o/Summ-N", ["SummN"], 5),
        ("https://github.com/o/llama_2-chat", ["Llama 2"], 6),
        ("https://github.com/o/x/tree/main/rlp", ["RLP"], 3),
        ("https://github.com/o/x%20owlnet", ["OwlNet"], 6),
        ("https://github.com/o/mT5", ["T5"], 0),
        ("https://github.com/o/DilatedRNN", ["RNN"], 0),
        ("https://github.com/o/owlnet?tab=readme#batnet", ["BatNet"], 0),
        ("https://github.com/o/n", ["n"], 0),
        ("https://github.com/o/EMI-RNN", ["RNN", "EMI-RNN"], 6),
    ],
)
def test_url_names_a_form_when_its_path_holds_it(url, forms, length):
    assert url_names(url, forms) == length


def test_initials_of_a_long_form():
    assert initials("Context Autoencoder") == set()  # two letters name too much
    magic = {"matgic", "magc", "mvatgic", "mvagc"}
    assert initials("Multi-view Approach to Grounding in Context") == magic
    assert initials("prosody-aware generative spoken language model") >= {"pgslm"}
    assert initials("fMRI") == set()


def test_a_glued_stop_ends_a_sentence_outside_an_address():
    text = "We win on owls.Our code is at https://github.com/a/b. Next step."
    start = text.index("https")
    assert sentence_around(text, start, start + len("https://github.com/a/b")) == (
        "Our code is at https://github.com/a/b."
    )
    text = "See https://github.com/a/Owl.Net for OwlNet. Code: https://github.com/a/c."
    start = text.rindex("https")
    assert sentence_around(text, start, len(text) - 1) == "Code: https://github.com/a/c."


def test_analysis_carries_links_and_drops_mentions_inside_them():
    abstract = "We propose OwlNet. Our code is at https://github.com/owls/OwlNet."
    paper = Paper(id="p", title="T", abstract=abstract)
    mentions, _ = mentions_of(abstract, [("OwlNet", M, True)])
    start = abstract.index("https")
    in_address = Mention("https://github.com/owls/OwlNet", M, "abstract", start, len(abstract) - 1,
                         abstract, 0.9, "model")  # fmt: skip
    analysis = analyse(paper, [*mentions, in_address])
    assert [m.text for m in analysis.mentions] == ["OwlNet"]
    assert [link.url for link in analysis.links] == ["https://github.com/owls/OwlNet"]
    assert [[m.text for m in ms] for ms in analysis.link_methods] == [["OwlNet"]]
