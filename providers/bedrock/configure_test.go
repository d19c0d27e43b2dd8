package bedrock

import (
	"net/http"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
)

// TestConfigureClientPool: bedrockruntime.New resolves the SDK's default HTTP client
// (10 idle connections per host) before option functions run, so ConfigureClient must
// raise that pool itself, or 64 concurrent streams open new connections all the time
// (found by bench/); a larger pool the caller chose is kept.
func TestConfigureClientPool(t *testing.T) {
	tests := []struct {
		name string
		base *awshttp.BuildableClient
		want int
	}{
		{"sdk_default", nil, 128},
		{"caller_smaller", awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) { t.MaxIdleConnsPerHost = 4 }), 128},
		{"caller_larger", awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) { t.MaxIdleConnsPerHost = 500 }), 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := bedrockruntime.Options{Region: "us-east-1"}
			if tt.base != nil {
				opts.HTTPClient = tt.base
			}
			var got bedrockruntime.Options
			bedrockruntime.New(opts, ConfigureClient, func(o *bedrockruntime.Options) { got = *o })
			hc, ok := got.HTTPClient.(*HTTPClient)
			if !ok {
				t.Fatalf("HTTPClient is %T, want *bedrock.HTTPClient", got.HTTPClient)
			}
			bc, ok := hc.c.Base().(*awshttp.BuildableClient)
			if !ok {
				t.Fatalf("wrapped client is %T, want *awshttp.BuildableClient", hc.c.Base())
			}
			if n := bc.GetTransport().MaxIdleConnsPerHost; n != tt.want {
				t.Errorf("MaxIdleConnsPerHost = %d, want %d", n, tt.want)
			}
		})
	}
}
