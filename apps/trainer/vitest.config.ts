import { TRAINING_TESTS, workspaceTestConfig } from '../../vitest.shared.ts';

export default workspaceTestConfig(TRAINING_TESTS);
