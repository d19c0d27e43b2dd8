package main

import "context"

func runConformance(ctx context.Context, e *env, args []string) int { return exitUsage }
