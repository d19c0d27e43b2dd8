package bedrockbatch

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ControlAPI is the part of the SDK's *bedrock.Client (the control plane, not
// bedrockruntime) that a [Service] calls, possibly concurrently.
type ControlAPI interface {
	CreateModelInvocationJob(ctx context.Context, in *bedrock.CreateModelInvocationJobInput, optFns ...func(*bedrock.Options)) (*bedrock.CreateModelInvocationJobOutput, error)
	GetModelInvocationJob(ctx context.Context, in *bedrock.GetModelInvocationJobInput, optFns ...func(*bedrock.Options)) (*bedrock.GetModelInvocationJobOutput, error)
	StopModelInvocationJob(ctx context.Context, in *bedrock.StopModelInvocationJobInput, optFns ...func(*bedrock.Options)) (*bedrock.StopModelInvocationJobOutput, error)
	ListModelInvocationJobs(ctx context.Context, in *bedrock.ListModelInvocationJobsInput, optFns ...func(*bedrock.Options)) (*bedrock.ListModelInvocationJobsOutput, error)
}

// ObjectAPI is the part of the SDK's *s3.Client that a [Service] calls, possibly
// concurrently.
type ObjectAPI interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

var (
	_ ControlAPI = (*bedrock.Client)(nil)
	_ ObjectAPI  = (*s3.Client)(nil)
)

// Limits are the service quotas a submission is split and checked against. Bedrock's
// quotas are per account, Region and model, and adjustable (Service Quotas console,
// "Amazon Bedrock"); set yours in [Options.Limits] and [Options.ModelLimits]. A zero
// field takes the default of [DefaultLimits].
type Limits struct {
	RecordsPerFile int   // "Records per input file per batch inference job"
	BytesPerFile   int64 // "Batch inference input file size"
	MinRecords     int   // "Minimum number of records per batch inference job for <model>"
	MaxRecords     int   // "Records per batch inference job for <model>"
	BytesPerJob    int64 // "Batch inference job size"
}

// DefaultLimits are Bedrock's default quotas for batch inference as the AWS General
// Reference lists them (https://docs.aws.amazon.com/general/latest/gr/bedrock.html,
// quota names as in
// https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-data.html): at
// most 50,000 records and 1 GB per input file, at least 100 and at most 50,000 records
// and 5 GB per job. Several models have other per-model values, and accounts can raise
// them: see [Options.ModelLimits].
var DefaultLimits = Limits{
	RecordsPerFile: 50_000,
	BytesPerFile:   1 << 30,
	MinRecords:     100,
	MaxRecords:     50_000,
	BytesPerJob:    5 << 30,
}

// withDefaults returns l with its zero fields set from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.RecordsPerFile > 0 {
		d.RecordsPerFile = l.RecordsPerFile
	}
	if l.BytesPerFile > 0 {
		d.BytesPerFile = l.BytesPerFile
	}
	if l.MinRecords > 0 {
		d.MinRecords = l.MinRecords
	}
	if l.MaxRecords > 0 {
		d.MaxRecords = l.MaxRecords
	}
	if l.BytesPerJob > 0 {
		d.BytesPerJob = l.BytesPerJob
	}
	return d
}

// Options configures a [Service]. RoleARN, InputURI and OutputURI are required; every
// other zero field is usable.
type Options struct {
	// RoleARN is the service role Bedrock assumes to read the input and write the output.
	RoleARN string
	// InputURI is the S3 folder ("s3://bucket/prefix/") under which each job's input
	// files are written, in a folder named after the job.
	InputURI string
	// OutputURI is the S3 folder Bedrock writes results to; Bedrock adds a folder named
	// after the job id.
	OutputURI string
	// OutputKMSKeyID encrypts the output with this KMS key; empty: the bucket's default.
	OutputKMSKeyID string
	// BucketOwner is the account id that owns the buckets, when it is not the caller's.
	BucketOwner string
	// TimeoutHours is the job's timeout; 0 lets Bedrock apply its default.
	TimeoutHours int32
	// Tags are set on each job.
	Tags map[string]string
	// SubnetIDs and SecurityGroupIDs put the job's data access in a VPC; both empty: none.
	SubnetIDs        []string
	SecurityGroupIDs []string
	// Limits are the quotas to split and check each submission against; zero fields take
	// [DefaultLimits]. ModelLimits overrides them per model id, as given to Submit.
	Limits      Limits
	ModelLimits map[string]Limits
	// TempDir is where input files are written before they are uploaded; empty:
	// os.TempDir.
	TempDir string
}

// limitsFor returns the limits of model.
func (o *Options) limitsFor(model string) Limits {
	if l, ok := o.ModelLimits[model]; ok {
		return l.withDefaults()
	}
	return o.Limits.withDefaults()
}

// s3Location is a bucket and a key or key prefix.
type s3Location struct {
	bucket, key string
}

func (l s3Location) String() string { return "s3://" + l.bucket + "/" + l.key }

// parseS3URI parses s3://bucket/key; folder adds a final '/' to a non-empty key.
func parseS3URI(field, raw string, folder bool) (s3Location, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return s3Location{}, fmt.Errorf("bedrockbatch: %s: %q is not an s3://bucket/prefix URI", field, raw)
	}
	key := strings.TrimPrefix(u.Path, "/")
	if folder && key != "" && !strings.HasSuffix(key, "/") {
		key += "/"
	}
	return s3Location{bucket: u.Host, key: key}, nil
}
