import { App } from 'cdktf';
import { WanStack } from './stack';

const app = new App();
new WanStack(app, 'wan');
app.synth();
