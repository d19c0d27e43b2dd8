package llm

import "encoding/json"

// Citation says where a piece of generated text came from: a passage of a [Document]
// sent with Citations on, of a [SearchResult], or of a web page a server-side tool found.
// Providers that ground answers (Bedrock's citationsContent, Anthropic's and OpenAI's
// citations and annotations) map theirs to it.
type Citation struct {
	// Title is the cited source's title (a document's name, a search result's title).
	Title string `json:"title,omitempty"`
	// Source identifies the source: a search result's source, a URL.
	Source string `json:"source,omitempty"`
	// Quotes are the passages of the source that support the text.
	Quotes []string `json:"quotes,omitempty"`
	// Location is where in the source the passages are.
	Location CitationLocation `json:"location"`
}

// CitationKind says what a [CitationLocation] counts in.
type CitationKind string

// Citation location kinds.
const (
	CiteChars        CitationKind = "chars"         // characters of a document: Start and End are character offsets
	CiteChunks       CitationKind = "chunks"        // chunks of a document
	CitePages        CitationKind = "pages"         // pages of a document
	CiteSearchResult CitationKind = "search_result" // content blocks of a search result
	CiteWeb          CitationKind = "web"           // a web page: URL and Domain
)

// CitationLocation is where a cited passage is. Index is the position of the document (or
// search result) among those of the conversation, counted as the provider counts them;
// Start and End delimit the passage in the Kind's unit (End exclusive, as the provider
// reports it).
type CitationLocation struct {
	Kind   CitationKind `json:"kind"`
	Index  int          `json:"index,omitempty"`
	Start  int          `json:"start,omitempty"`
	End    int          `json:"end,omitempty"`
	URL    string       `json:"url,omitempty"`
	Domain string       `json:"domain,omitempty"`
}

// SearchResult is the result of a search the caller ran (retrieval for RAG), given to the
// model as a source it may cite: in a user message or in a [ToolResult]'s content. Source
// names where it came from (a URL, a document id), Title its title, Content its passages.
// With Citations the model is asked to cite it.
type SearchResult struct {
	Source    string
	Title     string
	Content   []string
	Citations bool
}

// Opaque is an answer block that llmkit cannot represent, kept as the provider sent it so
// that nothing is lost: Provider names the provider ("bedrock"), Kind the block's type as
// the provider named it, and Raw its JSON. A provider sends an Opaque part of its own back
// unchanged when the history is replayed, and rejects one from another provider with an
// error naming the part. A response holding one also has a [WarningOpaque] warning.
type Opaque struct {
	Provider string
	Kind     string
	Raw      json.RawMessage
}

// CitationDelta adds a citation to the text block Index of a stream; it arrives after (or
// between) the block's [TextDelta]s, and the accumulated [Text] part carries it in
// Citations.
type CitationDelta struct {
	Index    int
	Citation Citation
}

// BlockPart delivers the whole part of block Index at once: a block that does not stream
// as deltas (a [SearchResult], a server tool's [ToolResult], an image, an [Opaque]
// block). The accumulated message holds Part at the block's position.
type BlockPart struct {
	Index int
	Part  Part
}

// Video is a video given inline (Data) or by reference (URI; which schemes a provider
// takes is the provider's to say). Format is the container (mp4, mov, mkv, webm, flv,
// mpeg, mpg, wmv, three_gp).
type Video struct {
	Format string
	Data   []byte
	URI    string
}

// Audio is a sound recording given inline (Data) or by reference (URI). Format is its
// encoding or container (mp3, wav, flac, ogg, opus, aac, m4a, mp4, webm, pcm …).
type Audio struct {
	Format string
	Data   []byte
	URI    string
}

func (Video) isPart()          {}
func (Audio) isPart()          {}
func (SearchResult) isPart()   {}
func (Opaque) isPart()         {}
func (CitationDelta) isEvent() {}
func (BlockPart) isEvent()     {}

func cloneCitations(cs []Citation) []Citation {
	if cs == nil {
		return nil
	}
	out := make([]Citation, len(cs))
	for i, c := range cs {
		c.Quotes = cloneStrings(c.Quotes)
		out[i] = c
	}
	return out
}

func cloneStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s...)
}
