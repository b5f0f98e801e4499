# PPO hyper-parameters (Schulman et al. 2017 defaults)
GAMMA = 0.99  # discount factor, [0.9, 0.9999]
GAE_LAMBDA = 0.95  # 0.8-1.0
CLIP_RANGE = 0.2  # range 0.05..0.4
ENT_COEF = 0.0  # entropy bonus >= 0
N_STEPS = 2048  # rollout length per env, power of 2
N_EPOCHS = 10
VF_COEF = 0.5  # value loss weight 0..1
TARGET_KL = 0.015  # stop early above this; e.g. 0.01 to 0.05
