// Original file: proto/tiercel/v1/inference.proto

import type { ChatMessage as _tiercel_v1_ChatMessage, ChatMessage__Output as _tiercel_v1_ChatMessage__Output } from '../../tiercel/v1/ChatMessage.js';
import type { Tool as _tiercel_v1_Tool, Tool__Output as _tiercel_v1_Tool__Output } from '../../tiercel/v1/Tool.js';

/**
 * Tokenize input: `text` or `messages`, never both.
 */
export interface TokenizeRequest {
  /**
   * Text to tokenize as a Generate prompt would be. Exclusive with `messages`.
   */
  'text'?: (string);
  /**
   * Chat messages to render and tokenize as Generate would (to count a chat prompt's tokens).
   */
  'messages'?: (_tiercel_v1_ChatMessage)[];
  /**
   * Target model id. Empty = the configured target. Unknown ids are NOT_FOUND.
   */
  'model'?: (string);
  /**
   * Tools offered with `messages`, rendered into the prompt as Generate renders them (their definitions
   * are part of what the model reads: an agent's tool list is often most of its prompt). Checked as
   * GenerateRequest.tools is; INVALID_ARGUMENT without `messages`.
   */
  'tools'?: (_tiercel_v1_Tool)[];
  /**
   * As GenerateRequest.cache_scope: long text runs the chat renderer remembers are kept per scope (a
   * remembered run tokenizes faster, which a tenant could time). Empty = the shared scope.
   */
  'cache_scope'?: (string);
}

/**
 * Tokenize input: `text` or `messages`, never both.
 */
export interface TokenizeRequest__Output {
  /**
   * Text to tokenize as a Generate prompt would be. Exclusive with `messages`.
   */
  'text': (string);
  /**
   * Chat messages to render and tokenize as Generate would (to count a chat prompt's tokens).
   */
  'messages': (_tiercel_v1_ChatMessage__Output)[];
  /**
   * Target model id. Empty = the configured target. Unknown ids are NOT_FOUND.
   */
  'model': (string);
  /**
   * Tools offered with `messages`, rendered into the prompt as Generate renders them (their definitions
   * are part of what the model reads: an agent's tool list is often most of its prompt). Checked as
   * GenerateRequest.tools is; INVALID_ARGUMENT without `messages`.
   */
  'tools': (_tiercel_v1_Tool__Output)[];
  /**
   * As GenerateRequest.cache_scope: long text runs the chat renderer remembers are kept per scope (a
   * remembered run tokenizes faster, which a tenant could time). Empty = the shared scope.
   */
  'cache_scope': (string);
}
