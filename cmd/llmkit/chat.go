package main

import "context"

func runChat(ctx context.Context, e *env, args []string) int { return exitUsage }
