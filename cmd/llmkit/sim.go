package main

import "context"

func runSim(ctx context.Context, e *env, args []string) int { return exitUsage }
