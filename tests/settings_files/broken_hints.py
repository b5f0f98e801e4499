OPTIMIZER = "sgd"  # choices: sgd
SCHEDULE = "cosine"  # one of cosine, step or something else that works
LR = 0.5  # range: 0..0.1
DEPTH = 3  # range of depths we tried
