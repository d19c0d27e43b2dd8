package bedrock

import "sync"

// maxCachedSchemas bounds a Model's schema cache: tools are usually few and fixed, but a
// program that builds schemas on the fly must not grow it without end.
const maxCachedSchemas = 512

// schemaCache keeps the tool and output schemas a Model has normalised (see
// [requestBuilder.normalizeSchema]), keyed by the caller's schema bytes: a Model sends
// the same tools with every call, and normalising a schema is most of the cost of
// translating a request. Only schemas normalised without warnings or errors are kept, so
// a hit changes nothing but the cost. Safe for concurrent use; the zero value is ready.
type schemaCache struct {
	mu     sync.RWMutex
	loose  map[string][]byte // schemas normalised for ordinary tools
	strict map[string][]byte // for strict tools and native structured output
}

func (c *schemaCache) get(raw []byte, strict bool) ([]byte, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	m := c.loose
	if strict {
		m = c.strict
	}
	out, ok := m[string(raw)] // no allocation for the lookup
	return out, ok
}

func (c *schemaCache) put(raw []byte, strict bool, out []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.loose)+len(c.strict) >= maxCachedSchemas {
		return
	}
	m := &c.loose
	if strict {
		m = &c.strict
	}
	if *m == nil {
		*m = make(map[string][]byte)
	}
	(*m)[string(raw)] = out
}
