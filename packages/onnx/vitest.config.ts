import { ONNX_RUNTIME_TESTS, workspaceTestConfig } from '../../vitest.shared.ts';

export default workspaceTestConfig(ONNX_RUNTIME_TESTS);
