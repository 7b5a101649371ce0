"""Names that say their parent: repo id in, candidate parents (most specific first) and pattern out."""

import pytest

from registry.names import parent_candidates, says_quantized

CASES = [
    # repo id, first candidate, pattern
    ("unsloth/Qwen3-30B-A3B-GGUF", "Qwen3-30B-A3B", "gguf"),
    ("bartowski/openai_gpt-oss-120b-GGUF", "openai/gpt-oss-120b", "gguf"),
    ("bartowski/deepseek-ai_DeepSeek-R1-0528-Qwen3-8B-GGUF", "deepseek-ai/DeepSeek-R1-0528-Qwen3-8B", "gguf"),
    ("bartowski/Qwen_Qwen3-14B-GGUF", "Qwen/Qwen3-14B", "gguf"),
    ("Qwen/Qwen2.5-14B-Instruct-AWQ", "Qwen2.5-14B-Instruct", "awq"),
    ("hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4", "Meta-Llama-3.1-8B-Instruct", "awq+int"),
    ("Qwen/Qwen2-VL-7B-Instruct-GPTQ-Int4", "Qwen2-VL-7B-Instruct", "gptq+int"),
    ("neuralmagic/Mistral-7B-Instruct-v0.3-GPTQ-4bit", "Mistral-7B-Instruct-v0.3", "gptq+bits"),
    ("unsloth/gemma-2-9b-it-bnb-4bit", "gemma-2-9b-it", "bnb+bits"),
    ("unsloth/Qwen3-8B-unsloth-bnb-4bit", "Qwen3-8B", "unsloth+bnb+bits"),
    ("mlx-community/Qwen3-8B-MLX-4bit", "Qwen3-8B", "mlx+bits"),
    ("mlx-community/Meta-Llama-3-8B-Instruct-4bit", "Meta-Llama-3-8B-Instruct", "bits"),
    ("mlx-community/Llama-2-7b-chat-mlx", "Llama-2-7b-chat", "mlx"),
    ("neuralmagic/Meta-Llama-3-8B-Instruct-FP8", "Meta-Llama-3-8B-Instruct", "fp8"),
    ("neuralmagic/Llama-3.2-11B-Vision-Instruct-FP8-dynamic", "Llama-3.2-11B-Vision-Instruct", "fp8+dynamic"),
    ("FlorianJc/Mistral-Nemo-Instruct-2407-vllm-fp8", "Mistral-Nemo-Instruct-2407", "vllm+fp8"),
    ("nvidia/DeepSeek-R1-0528-NVFP4", "DeepSeek-R1-0528", "fp4"),
    ("ggml-org/Llama-3.2-1B-Instruct-Q4_K_M-GGUF", "Llama-3.2-1B-Instruct", "ggml-type+gguf"),
    ("hugging-quants/Llama-3.2-1B-Instruct-Q8_0-GGUF", "Llama-3.2-1B-Instruct", "ggml-type+gguf"),
    ("mradermacher/Qwen3-8B-abliterated-i1-GGUF", "Qwen3-8B-abliterated", "i1+gguf"),
    ("turboderp/Llama-3.1-8B-Instruct-exl2", "Llama-3.1-8B-Instruct", "exl"),
    ("neuralmagic/Meta-Llama-3.1-8B-Instruct-quantized.w4a16", "Meta-Llama-3.1-8B-Instruct", "quantized+wxay"),
    # a QAT checkpoint's own name ends in "-qat": kept first, the name without it offered next
    ("jasjoiefs/amoral-gemma3-27B-v2-qat-Q4_K_S-GGUF", "amoral-gemma3-27B-v2-qat", "ggml-type+gguf"),
    # republishers keep the original name even without a suffix
    ("lmstudio-community/Magistral-Small-2506", "Magistral-Small-2506", "lmstudio-community"),
]


@pytest.mark.parametrize(("repo_id", "first", "pattern"), CASES)
def test_a_quantization_suffix_gives_the_parent_name(repo_id, first, pattern):
    assert parent_candidates(repo_id)[0] == (first, pattern)
    assert says_quantized(repo_id) or repo_id.startswith("lmstudio-community/")


def test_bartowski_names_are_offered_with_the_organization_as_written_and_without_it():
    assert [c for c, _ in parent_candidates("bartowski/openai_gpt-oss-120b-GGUF")] == [
        "openai/gpt-oss-120b", "openai_gpt-oss-120b", "gpt-oss-120b",
    ]


def test_a_qat_name_offers_both_the_qat_checkpoint_and_its_base():
    assert [c for c, _ in parent_candidates("google/gemma-3-1b-it-qat-q4_0-gguf")] == ["gemma-3-1b-it-qat", "gemma-3-1b-it"]


@pytest.mark.parametrize(
    "repo_id",
    ["Qwen/Qwen3-8B", "meta-llama/Llama-3.2-1B", "google/gemma-3-1b-it-qat", "x/Model-dynamic", "x/Model-bf16", "org/gguf", "mistralai/Mixtral-8x7B-v0.1"],
)
def test_names_without_a_quantization_format_say_nothing(repo_id):
    assert parent_candidates(repo_id) == []
    assert not says_quantized(repo_id)
