import { App } from 'cdktf';
import { WorkshopStack } from './stack';

const app = new App();
new WorkshopStack(app, 'workshop');
app.synth();
