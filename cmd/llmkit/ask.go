package main

import "context"

func runAsk(ctx context.Context, e *env, args []string) int { return exitUsage }
