"""Staff pages of hardship assistance: the queue, the application at the counter, the case
page and its steps, and the public-welfare posts. Workers have no assistance pages yet."""
