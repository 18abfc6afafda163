// Runs before every test file (jest `setupFiles`).
import { dropUpstreamTableV2Deprecations } from './upstream-deprecations';

dropUpstreamTableV2Deprecations(console);
