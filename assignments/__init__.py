"""Skills and staff routing profiles (capacity, presence); offers and the routing engine arrive
with the routing issue."""
