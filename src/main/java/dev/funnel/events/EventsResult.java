package dev.funnel.events;

/**
 * What a batch of events did.
 *
 * @param accepted events applied now
 * @param duplicates events skipped because their id was applied before (or repeats in the batch)
 */
public record EventsResult(int accepted, int duplicates) {}
