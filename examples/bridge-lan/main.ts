import { App } from 'cdktf';
import { BridgeLanStack } from './stack';

const app = new App();
new BridgeLanStack(app, 'bridge-lan');
app.synth();
