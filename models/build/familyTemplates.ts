/**
 * Chat templates (Jinja, as the families' tokenizer_config.json / GGUF `tokenizer.chat_template` carry
 * them) for the model families whose vocab-only GGUFs have none. Qwen2 and Phi-3 vocab GGUFs carry their
 * own template; Qwen2.5-Coder's (with tools) replaces Qwen2's there.
 */

/** Llama 3 / 3.1 Instruct without tools: header-id turns, each closed by `<|eot_id|>`. */
export const llama3Template =
    "{% set loop_messages = messages %}{% for message in loop_messages %}" +
    "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' %}" +
    "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}" +
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

/** DeepSeek-Coder Instruct: a default system line, `### Instruction:` / `### Response:`, `<|EOT|>`. */
export const deepseekCoderTemplate =
    "{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}" +
    "{%- set ns = namespace(found=false) -%}{%- for message in messages -%}{%- if message['role'] == 'system' -%}" +
    "{%- set ns.found = true -%}{%- endif -%}{%- endfor -%}{{bos_token}}{%- if not ns.found -%}" +
    "{{'You are an AI programming assistant, utilizing the Deepseek Coder model, developed by Deepseek Company, " +
    "and you only answer questions related to computer science. For politically sensitive questions, security and " +
    "privacy issues, and other non-computer science questions, you will refuse to answer\\n'}}{%- endif %}" +
    "{%- for message in messages %}{%- if message['role'] == 'system' %}{{ message['content'] }}{%- else %}" +
    "{%- if message['role'] == 'user' %}{{'### Instruction:\\n' + message['content'] + '\\n'}}" +
    "{%- else %}{{'### Response:\\n' + message['content'] + '\\n<|EOT|>\\n'}}{%- endif %}{%- endif %}{%- endfor %}" +
    "{% if add_generation_prompt %}{{'### Response:'}}{% endif %}";

/** Qwen2.5 / Qwen2.5-Coder Instruct: ChatML with a default system prompt and `<tools>` / `<tool_call>`. */
export const qwen25Template = [
    "{%- if tools %}",
    "{{- '<|im_start|>system\\n' }}",
    "{%- if messages[0]['role'] == 'system' %}{{- messages[0]['content'] }}",
    "{%- else %}{{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}{%- endif %}",
    '{{- "\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>" }}',
    '{%- for tool in tools %}{{- "\\n" }}{{- tool | tojson }}{%- endfor %}',
    '{{- "\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}\\n</tool_call><|im_end|>\\n" }}',
    "{%- else %}",
    "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}",
    "{%- else %}{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}",
    "{%- endif %}",
    "{%- endif %}",
    "{%- for message in messages %}",
    '{%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}',
    "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}",
    '{%- elif message.role == "assistant" %}',
    "{{- '<|im_start|>' + message.role }}",
    "{%- if message.content %}{{- '\\n' + message.content }}{%- endif %}",
    "{%- for tool_call in message.tool_calls %}",
    "{%- if tool_call.function is defined %}{%- set tool_call = tool_call.function %}{%- endif %}",
    "{{- '\\n<tool_call>\\n{\"name\": \"' }}{{- tool_call.name }}{{- '\", \"arguments\": ' }}{{- tool_call.arguments | tojson }}{{- '}\\n</tool_call>' }}",
    "{%- endfor %}",
    "{{- '<|im_end|>\\n' }}",
    '{%- elif message.role == "tool" %}',
    "{%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != \"tool\") %}{{- '<|im_start|>user' }}{%- endif %}",
    "{{- '\\n<tool_response>\\n' }}{{- message.content }}{{- '\\n</tool_response>' }}",
    "{%- if loop.last or (messages[loop.index0 + 1].role != \"tool\") %}{{- '<|im_end|>\\n' }}{%- endif %}",
    "{%- endif %}",
    "{%- endfor %}",
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}",
].join("");
