import { App } from 'cdktf';
import { EdgeStack } from './stack';

const app = new App();
new EdgeStack(app, 'edge');
app.synth();
