"""Domain vocabulary for the rule extractor: head nouns that make a phrase a task, method,
dataset or metric, common metric names, and words that never start an entity name.

These are words of the field's language, not names of particular entities.
"""

from __future__ import annotations

# A noun phrase ending in one of these names a task: "head pose estimation".
TASK_HEADS = frozenset(
    """
    estimation generation synthesis detection classification recognition segmentation
    translation captioning reconstruction retrieval prediction tracking summarization
    summarisation parsing answering reenactment animation localization localisation
    identification dubbing editing completion inpainting grounding labeling labelling tagging
    extraction forecasting reasoning disambiguation resolution conversion enhancement
    separation verification diarization transcription restoration super-resolution denoising
    registration recommendation ranking analysis understanding modeling modelling
    interpretation interpretability simplification paraphrasing normalization linking
    typing alignment matching induction discovery comprehension decoding
    """.split()
)

# A noun phrase ending in one of these names a method: "convolutional neural networks".
METHOD_HEADS = frozenset(
    """
    network networks model models transformer transformers encoder encoders decoder decoders
    autoencoder autoencoders architecture architectures algorithm algorithms mechanism
    mechanisms module modules layer layers attention embedding embeddings classifier
    classifiers regression gan gans diffusion distillation fine-tuning finetuning pre-training
    pretraining tokenizer tokenizers codec renderer field fields optimizer optimization sampling
    guidance tuning learning descent propagation kernel kernels machine machines forest forests
    tree trees policy policies decomposition quantization pruning adapter adapters
    prompting augmentation regularization normalization dropout search
    """.split()
)

# Generic heads that name a method only after a distinctive modifier ("diffusion framework").
WEAK_METHOD_HEADS = frozenset(
    "model models method methods approach approaches framework frameworks technique techniques "
    "system systems learning".split()
)

# "baselines such as BERT and XLNet", "LLMs like Mistral": names listed as examples after one
# of these (or after a method head) are methods.
METHOD_KINDS = frozenset("baseline baselines llm llms lm lms plm plms vlm vlms mllm mllms".split())

# "X dataset", "the X benchmark": the name before one of these is a dataset.
DATASET_HEADS = frozenset(
    "dataset datasets data-set benchmark benchmarks corpus corpora database databases "
    "treebank treebanks collection".split()
)

# Capitalised, these heads are part of a data set's name: "the Penn Treebank", "the Brown Corpus".
NAMED_DATASET_HEADS = frozenset("treebank corpus".split())

# "X score", "X metric": the name before one of these is a metric.
METRIC_HEADS = frozenset("score scores metric metrics measure rate".split())

# Metric names as the field writes them, lower-cased.
METRIC_NAMES = frozenset(
    """
    accuracy precision recall f1 f1-score f-score f-measure bleu rouge rouge-l rouge-1 rouge-2
    meteor cider spice perplexity ap ap50 ap75 auc roc-auc auroc auprc fid fvd lpips psnr ssim
    wer cer eer mos mse rmse mae miou iou ndcg mrr top-1 top-5 bertscore chrf ter uar wa ua
    latency throughput bitrate speedup fps flops gflops tflops macs rtf comet bleurt sacrebleu
    mauve hit@1 hits@1 hits@10 recall@1 recall@5 recall@10 pass@1 pass@k
    """.split()
)

# Metric names that are also ordinary words: only taken in their written case.
# "MAP" is left out: in abstracts it is mostly maximum a posteriori ("MAP inference").
CASED_METRIC_NAMES = frozenset({"mAP", "AP", "IS", "EM", "SI-SDR", "SDR", "SI-SNR", "LSE-C"})

# Multi-word metric names.
METRIC_PHRASES = (
    ("word", "error", "rate"),
    ("character", "error", "rate"),
    ("equal", "error", "rate"),
    ("mean", "average", "precision"),
    ("average", "precision"),
    ("exact", "match"),
    ("mean", "opinion", "score"),
    ("success", "rate"),
    ("error", "rate"),
    ("top-1", "accuracy"),
    ("top-5", "accuracy"),
    ("mean", "squared", "error"),
    ("mean", "absolute", "error"),
    ("spearman", "correlation"),
    ("pearson", "correlation"),
    ("inception", "score"),
    ("macro", "f1"),
    ("micro", "f1"),
    ("macro", "-", "f1"),
    ("micro", "-", "f1"),
    ("solve", "rate"),
    ("win", "rate"),
    ("pass", "rate"),
    ("real", "-", "time", "factor"),
    ("inverse", "real", "-", "time", "factor"),
    ("first", "-", "token", "latency"),
    ("inference", "latency"),
    ("inference", "speed"),
    ("human", "evaluation"),
    ("human", "evaluations"),
    ("human", "judgment"),
    ("human", "judgments"),
    ("human", "judgements"),
    ("user", "study"),
    ("user", "studies"),
    ("memory", "footprint"),
    ("memory", "usage"),
    ("wall", "-", "clock", "time"),
    ("training", "time"),
    ("inference", "time"),
)

# Measures that are also ordinary words or phrases ("regret", "faithfulness", "running
# time", "sample complexity"): proposed as metrics with a weak confidence, so the specificity
# classifier decides from their context whether results are reported in them.
MEASURE_WORDS = frozenset(
    """
    regret faithfulness factuality informativeness fluency coherence diversity runtime
    abstractiveness harmlessness helpfulness toxicity spearman pearson kappa f-1 ndcg@10
    ndcg@5 ndcg@1 map@10 mrr@10 recall@20 recall@100 hits@3 hits@5 precision@1 precision@5
    precision@10 p@1 p@5 p@10 r@1 r@5 r@10 auc-roc au-roc ece brier nll bpc bpd bits-per-dim
    """.split()
)
# A measure's head word: a modifier before it makes a measure name ("test error", "sample
# complexity", "energy consumption", "computational cost").
MEASURE_HEADS = frozenset(
    "error errors regret complexity cost costs consumption overhead likelihood divergence "
    "correlation kappa".split()
)
MEASURE_PHRASES = tuple(
    tuple(line.split())
    for line in """
    running time
    run time
    computation time
    execution time
    prediction time
    decoding time
    response time
    wall clock time
    wall - clock times
    gpu hours
    training loss
    test loss
    validation loss
    model size
    memory size
    number of parameters
    convergence rate
    rate of convergence
    convergence speed
    training speed
    sample efficiency
    human preference
    human assessment
    direct assessment
    factual consistency
    pearson 's r
    pearson r
    spearman 's rho
    fleiss ' kappa
    fleiss 's kappa
    cohen 's kappa
    jaccard score
    jaccard index
    edit distance
    task success
    """.strip().splitlines()
)

# Words that end a phrase's leftward growth: verbs, evaluative adjectives and quantifiers
# that precede entity names in abstracts but are not part of them.
NOT_A_MODIFIER = frozenset(
    """
    improve improves improved improving address addresses addressing achieve achieves achieving
    beat beats surpassing exceeds exceed rivals matches
    enable enables enabling perform performs performing outperform outperforms outperforming
    facilitate facilitates tackle tackles study studies studied explore explores propose
    proposes proposed present presents introduce introduces introducing boost boosts advance
    advances benefit benefits support supports show shows demonstrate demonstrates evaluate
    evaluates evaluated apply applies applied use uses used using include includes including
    like such various different downstream many several multiple other new novel existing
    current conventional traditional recent previous prior standard typical common popular
    challenging important key efficient effective accurate robust realistic high-quality
    state-of-the-art sota scalable fast strong simple general generic powerful superior
    better best competitive comparable significant substantial extensive comprehensive
    remarkable impressive promising practical diverse specific particular following given
    large-scale small large big huge massive whole entire overall main first second third
    two three four five both each every any all most more less few unified improved
    enhanced advanced modern well-known widely widely-used called termed dubbed
    via across towards toward based without within wherein whereas while although though
    however thus hence therefore also only even still yet further furthermore moreover
    achieve attains attain obtain obtains obtained reach reaches surpass surpasses yield
    yields provide provides require requires leverage leverages leveraging employ employs
    adopt adopts train trains trained learn learns learned learnt generate generates
    produce produces build builds built design designs designed develop develops developed
    investigate investigates aim aims focus focuses solve solves handle handles capture
    captures conduct conducts make makes making remain remains become becomes called
    effectiveness performance quality results result accuracy baseline baselines
    training examining targeting bridging maintaining extracting extract exploring
    achieving applying combining enhancing integrating introducing leveraging modeling
    generating capturing evaluating optimizing reducing learning improving allowing
    """.split()
)

# Acronyms and short capitalised words that are not names of methods or datasets.
NOT_A_NAME = frozenset(
    """
    AI ML NLP CV DL RL API CPU GPU GPUs TPU RGB RGB-D US UK EU USA I II III IV A An The We Our
    In On For To Of And Or With By As At From This That These Those It Its Is Are Be But Not
    SOTA LLM LLMs VLM VLMs MLLM MLLMs PhD TV ID IDs OK vs etc e.g. i.e. Fig Table Sec
    """.split()
)

# Context words around a name that say it is a dataset: "trained on X", "X and Y datasets".
DATASET_CUES_BEFORE = frozenset("on".split())
DATASET_CUE_VERBS = frozenset(
    """
    evaluate evaluated evaluating evaluation evaluations experiment experiments experimental
    test tested testing results benchmark benchmarks trained train training pretrained
    pre-trained fine-tuned finetuned
    """.split()
)
