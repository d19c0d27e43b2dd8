package bedrock

import (
	"path"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/llmkit/llmkit/llm"
)

// Video and audio blocks (RULES.md REQ-MEDIA): the formats are the SDK's enums; the
// source is inline bytes or an s3:// URI. Which models take them is Bedrock's to say
// (the capability table has no flag for them): a model that does not answers with a
// ValidationException.

// avFormat returns the format of a video or audio part: Format, else the extension of
// its URI; it must be one of the SDK's values.
func avFormat(mi, pi int, what, format, uri string, values []string) (string, error) {
	name := strings.ToLower(format)
	if name == "" {
		name = strings.ToLower(strings.TrimPrefix(path.Ext(uri), "."))
	}
	if !slices.Contains(values, name) {
		if format == "" {
			return "", partError(mi, pi, "cannot tell the %s format; set Format to one of %s", what, strings.Join(values, ", "))
		}
		return "", partError(mi, pi, "%s format %q is not one of %s", what, format, strings.Join(values, ", "))
	}
	return name, nil
}

func enumValues[E ~string](vals []E) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}

var (
	videoFormats = enumValues(types.VideoFormat("").Values())
	audioFormats = enumValues(types.AudioFormat("").Values())
)

func video(mi, pi int, v llm.Video) (types.VideoBlock, error) {
	format, err := avFormat(mi, pi, "video", v.Format, v.URI, videoFormats)
	if err != nil {
		return types.VideoBlock{}, err
	}
	src, err := mediaSource(mi, pi, "video", v.Data, v.URI)
	if err != nil {
		return types.VideoBlock{}, err
	}
	b := types.VideoBlock{Format: types.VideoFormat(format)}
	if src.uri != "" {
		b.Source = &types.VideoSourceMemberS3Location{Value: types.S3Location{Uri: aws.String(src.uri)}}
	} else {
		b.Source = &types.VideoSourceMemberBytes{Value: src.data}
	}
	return b, nil
}

func audio(mi, pi int, v llm.Audio) (types.AudioBlock, error) {
	format, err := avFormat(mi, pi, "audio", v.Format, v.URI, audioFormats)
	if err != nil {
		return types.AudioBlock{}, err
	}
	src, err := mediaSource(mi, pi, "audio", v.Data, v.URI)
	if err != nil {
		return types.AudioBlock{}, err
	}
	b := types.AudioBlock{Format: types.AudioFormat(format)}
	if src.uri != "" {
		b.Source = &types.AudioSourceMemberS3Location{Value: types.S3Location{Uri: aws.String(src.uri)}}
	} else {
		b.Source = &types.AudioSourceMemberBytes{Value: src.data}
	}
	return b, nil
}

// parseVideo and parseAudio read a video or audio block of an answer; ok is false (with
// a warning) when it has no usable source.
func parseVideo(i int, v types.VideoBlock) (llm.Part, []llm.Warning) {
	out := llm.Video{Format: string(v.Format)}
	switch s := v.Source.(type) {
	case *types.VideoSourceMemberBytes:
		out.Data = s.Value
	case *types.VideoSourceMemberS3Location:
		out.URI = outStr(s.Value.Uri)
	default:
		return nil, []llm.Warning{llm.WarnBlockf(llm.WarningSkipped, i, "video without a usable source skipped")}
	}
	return out, nil
}

func parseAudio(i int, v types.AudioBlock) (llm.Part, []llm.Warning) {
	out := llm.Audio{Format: string(v.Format)}
	switch s := v.Source.(type) {
	case *types.AudioSourceMemberBytes:
		out.Data = s.Value
	case *types.AudioSourceMemberS3Location:
		out.URI = outStr(s.Value.Uri)
	default:
		msg := "audio without a usable source skipped"
		if v.Error != nil {
			msg += ": " + outStr(v.Error.Message)
		}
		return nil, []llm.Warning{llm.WarnBlockf(llm.WarningSkipped, i, "%s", msg)}
	}
	return out, nil
}
