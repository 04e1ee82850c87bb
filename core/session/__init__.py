"""A session in the room: stages, timer, board, recommendations, voting, mood check, plans, the projector and
live revisions."""
