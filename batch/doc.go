// Package batch is llmkit's provider-neutral model of batch inference: many
// [llm.Request]s, each under a record id the caller chooses, submitted as one job that a
// provider runs on its own engine (for Amazon Bedrock, a model invocation job; see
// package providers/bedrock/bedrockbatch), followed while it runs, and read back record
// by record as an [llm.Response] or a typed error.
//
// # Submitting
//
// A [Service] (what a provider implements) takes the records as an iterator
// ([iter.Seq2] of [Record] and error), so that a batch of any size is streamed, never
// held in memory; [Records] adapts a slice. Before anything leaves the machine the
// provider checks every record: a request the provider cannot send, an empty or repeated
// record id, an empty batch, or a batch outside the provider's size limits is an error
// — a [*RecordError] naming the record for a fault in one record, and [ErrEmpty],
// [ErrDuplicateID], [ErrTooFew] or [ErrTooMany] to test with errors.Is. Submit returns
// the new [Job]; with the same [SubmitOptions.Token], a repeated submission returns the
// job of the first instead of starting a second.
//
// # Following
//
// [Service.Job] reads a job's state: its [Status] and [Counts] (records in total,
// processed, succeeded, failed, tokens). Any process that knows the job's id (for
// Bedrock, its ARN) can follow and read it: nothing is kept in the submitting process.
// [Follow] polls a job until it ends, yielding each state, for a progress display.
//
// # Reading results
//
// [Service.Results] yields one [Result] per record, in whatever order the provider wrote
// them. A record that succeeded has its Response; one that failed has an Err that
// unwraps to one of llm's categories (llm.ErrInvalidRequest, llm.ErrRateLimited,
// llm.ErrContextTooLong, llm.ErrServer …) through an *llm.ProviderError; one the job
// never reached (it was stopped, failed or expired first) has an Err that unwraps to
// [ErrNotProcessed]. Every record id submitted is answered exactly once.
package batch
