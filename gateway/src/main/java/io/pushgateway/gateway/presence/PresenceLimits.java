package io.pushgateway.gateway.presence;

/**
 * What presence holds and tells at most.
 *
 * @param membersListed     above this many members a room sends counts, not joins and leaves
 * @param changesPerSecond  joins and leaves a room tells one by one per second; past it the rest
 *                          of the second's are held and only their outcome told (a member that
 *                          joined and left again is no change), so churn cannot flood a room
 * @param occupants         connections present at most, over every room
 */
public record PresenceLimits(int membersListed, int changesPerSecond, int occupants) {
}
