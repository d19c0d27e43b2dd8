// Package bedrock is llmkit's provider for Amazon Bedrock's Converse API.
package bedrock
