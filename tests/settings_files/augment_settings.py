# Augmentation
# Probability of a horizontal flip (0-1)
FLIP_P = 0.5
# Random crop scale, between 0.08 and 1.0
CROP_SCALE = 0.08
MIXUP_ALPHA = 0.2  # Beta(alpha, alpha); 0 turns mixup off, up to 1
LABEL_SMOOTHING = 0.1  # 0.0 - 0.3
RAND_AUGMENT = "rand-m9-mstd0.5"  # timm policy string
