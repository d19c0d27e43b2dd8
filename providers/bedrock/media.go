package bedrock

import (
	"net/http"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/llmkit/llmkit/llm"
)

var imageFormats = map[string]types.ImageFormat{
	"png": types.ImageFormatPng, "jpeg": types.ImageFormatJpeg, "jpg": types.ImageFormatJpeg,
	"gif": types.ImageFormatGif, "webp": types.ImageFormatWebp,
}

// image converts an image (REQ-MEDIA): png, jpeg, gif or webp, inline or from S3.
func (b *requestBuilder) image(mi, pi int, v llm.Image) (types.ImageBlock, error) {
	if !b.caps.Images {
		return types.ImageBlock{}, partError(mi, pi, "model %s does not accept images", b.req.Model)
	}
	name := strings.ToLower(strings.TrimPrefix(v.Format, "image/"))
	if name == "" {
		switch {
		case len(v.Data) > 0:
			name = strings.TrimPrefix(http.DetectContentType(v.Data), "image/")
		case v.URI != "":
			name = strings.ToLower(strings.TrimPrefix(path.Ext(v.URI), "."))
		}
	}
	format, ok := imageFormats[name]
	switch {
	case !ok && v.Format == "":
		return types.ImageBlock{}, partError(mi, pi, "cannot tell the image format; set Format to png, jpeg, gif or webp")
	case !ok:
		return types.ImageBlock{}, partError(mi, pi, "image format %q is not one of png, jpeg, gif, webp", v.Format)
	}
	src, err := mediaSource(mi, pi, "image", v.Data, v.URI)
	if err != nil {
		return types.ImageBlock{}, err
	}
	img := types.ImageBlock{Format: format}
	if src.uri != "" {
		img.Source = &types.ImageSourceMemberS3Location{Value: types.S3Location{Uri: aws.String(src.uri)}}
	} else {
		img.Source = &types.ImageSourceMemberBytes{Value: src.data}
	}
	return img, nil
}

type mediaSrc struct {
	data []byte
	uri  string
}

func mediaSource(mi, pi int, what string, data []byte, uri string) (mediaSrc, error) {
	switch {
	case len(data) > 0 && uri != "":
		return mediaSrc{}, partError(mi, pi, "%s has both data and a URI; give one", what)
	case len(data) > 0:
		return mediaSrc{data: data}, nil
	case uri == "":
		return mediaSrc{}, partError(mi, pi, "%s has neither data nor a URI", what)
	}
	rest, ok := strings.CutPrefix(uri, "s3://")
	bucket, key, _ := strings.Cut(rest, "/")
	if !ok || bucket == "" || key == "" {
		return mediaSrc{}, partError(mi, pi, "%s URI %q: Bedrock takes s3://bucket/key URIs only", what, uri)
	}
	return mediaSrc{uri: uri}, nil
}

var documentFormats = map[string]types.DocumentFormat{
	"pdf": types.DocumentFormatPdf, "csv": types.DocumentFormatCsv, "doc": types.DocumentFormatDoc,
	"docx": types.DocumentFormatDocx, "xls": types.DocumentFormatXls, "xlsx": types.DocumentFormatXlsx,
	"html": types.DocumentFormatHtml, "htm": types.DocumentFormatHtml, "txt": types.DocumentFormatTxt,
	"md": types.DocumentFormatMd, "markdown": types.DocumentFormatMd,
}

// document converts a document (REQ-MEDIA): a known format, inline or from S3, with a
// sanitised name.
func (r *messageReader) document(mi, pi int, v llm.Document) (types.DocumentBlock, error) {
	if !r.caps.Documents {
		return types.DocumentBlock{}, partError(mi, pi, "model %s does not accept documents", r.req.Model)
	}
	name := strings.ToLower(v.Format)
	if name == "" {
		ext := path.Ext(v.Name)
		if ext == "" {
			ext = path.Ext(v.URI)
		}
		name = strings.ToLower(strings.TrimPrefix(ext, "."))
	}
	format, ok := documentFormats[name]
	if !ok && v.Format == "" {
		return types.DocumentBlock{}, partError(mi, pi, "cannot tell the document format from its name or URI; set Format to pdf, csv, doc, docx, xls, xlsx, html, txt or md")
	}
	if !ok {
		return types.DocumentBlock{}, partError(mi, pi, "document format %q is not one of pdf, csv, doc, docx, xls, xlsx, html, txt, md", v.Format)
	}
	src, err := mediaSource(mi, pi, "document", v.Data, v.URI)
	if err != nil {
		return types.DocumentBlock{}, err
	}
	doc := types.DocumentBlock{Format: format, Name: aws.String(r.docs.next(v.Name))}
	if src.uri != "" {
		doc.Source = &types.DocumentSourceMemberS3Location{Value: types.S3Location{Uri: aws.String(src.uri)}}
	} else {
		doc.Source = &types.DocumentSourceMemberBytes{Value: src.data}
	}
	return doc, nil
}

// documentNamer names the documents of one request, counting them and the names given.
type documentNamer struct {
	count int            // documents named so far
	seen  map[string]int // name → times given
}

// next names the request's next document, whose name as given is raw.
func (d *documentNamer) next(raw string) string {
	d.count++
	return d.name(raw)
}

// name makes a name Bedrock accepts (REQ-MEDIA): the extension of a known format
// stripped; characters other than ASCII letters, digits, hyphens, parentheses and square
// brackets replaced by a hyphen; runs of whitespace made one space; at most 200
// characters. A name left without a letter or digit becomes "document-N", N counting the
// request's documents from 1. A name used twice gets " (2)", " (3)"… appended.
func (d *documentNamer) name(raw string) string {
	name := raw
	if ext := path.Ext(name); ext != "" {
		if _, ok := documentFormats[strings.ToLower(ext[1:])]; ok {
			name = name[:len(name)-len(ext)]
		}
	}
	out := make([]byte, 0, len(name))
	alnum := false
	space := false
	for _, r := range name {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'):
			alnum = true
			out = append(out, byte(r))
		case r == '-' || r == '(' || r == ')' || r == '[' || r == ']':
			out = append(out, byte(r))
		case unicode.IsSpace(r):
			if len(out) > 0 && !space {
				out = append(out, ' ')
			}
			space = true
			continue
		default:
			out = append(out, '-')
		}
		space = false
	}
	s := strings.TrimRight(string(out), " ")
	if len(s) > 200 {
		s = strings.TrimRight(s[:200], " ")
	}
	if !alnum {
		s = "document-" + strconv.Itoa(d.count)
	}
	if d.seen == nil {
		d.seen = make(map[string]int)
	}
	d.seen[s]++
	if n := d.seen[s]; n > 1 {
		suffix := " (" + strconv.Itoa(n) + ")"
		if len(s)+len(suffix) > 200 {
			s = strings.TrimRight(s[:200-len(suffix)], " ")
		}
		s += suffix
	}
	return s
}
